//! Network facts: the address ranges of CIDR blocks, which VPCs the ruleset designates for
//! internet traffic, which route table a subnet uses, and which ports a security group or a
//! network ACL lets in from the whole internet.
//!
//! Addresses are compared as ranges of integers (parsed with `std::net`), never as strings:
//! `10.20.0.0/16` and `10.20.128.0/17` overlap, `0.0.0.0/1` and `128.0.0.0/1` together are
//! every IPv4 address, and a rule for ports `0-65535` reaches port 22.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::Facts;
use crate::model::{
    Account, CoverageGap, InternetGateway, NetworkAcl, NetworkAclEntry, Operation, Read, Route,
    RouteTable, SecurityGroup, SecurityGroupRule, Snapshot, Vpc,
};

/// An IP address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    /// The highest address of the family, as an integer.
    fn last(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }

    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// The CIDR block of every address of the family, for messages.
    pub fn everything(self) -> &'static str {
        match self {
            Family::V4 => "0.0.0.0/0",
            Family::V6 => "::/0",
        }
    }
}

/// The addresses of a CIDR block: an inclusive range of integers within one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddressRange {
    /// The family.
    pub family: Family,
    /// The first address.
    pub first: u128,
    /// The last address.
    pub last: u128,
}

impl AddressRange {
    /// Parses an IPv4 or IPv6 CIDR block (`10.0.0.0/16`, `2001:db8::/32`; a bare address is
    /// one address). Host bits are ignored, as AWS ignores them; `None` for anything else
    /// (a prefix list or security group id, a prefix length beyond the family's).
    pub fn parse(cidr: &str) -> Option<AddressRange> {
        let cidr = cidr.trim();
        let (address, prefix) = match cidr.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (cidr, None),
        };
        let (family, value) = match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4))),
            IpAddr::V6(v6) => (Family::V6, u128::from(v6)),
        };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u32>().ok()?
            }
            Some(_) => return None,
            None => family.bits(),
        };
        if prefix > family.bits() {
            return None;
        }
        // The host part: the low `bits - prefix` bits (a shift by 128 is none at all).
        let host = family.last().checked_shr(prefix).unwrap_or(0);
        let first = value & !host;
        Some(AddressRange {
            family,
            first,
            last: first | host,
        })
    }

    /// Whether the two ranges share an address.
    pub fn overlaps(&self, other: &AddressRange) -> bool {
        self.family == other.family && self.first <= other.last && other.first <= self.last
    }

    /// Whether every address of `other` is one of its own.
    pub fn contains(&self, other: &AddressRange) -> bool {
        self.family == other.family && self.first <= other.first && other.last <= self.last
    }

    /// Whether it is every address of its family (`0.0.0.0/0`, `::/0`).
    pub fn is_everything(&self) -> bool {
        self.first == 0 && self.last == self.family.last()
    }
}

/// A set of addresses of one family: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RangeSet(Vec<(u128, u128)>);

impl RangeSet {
    fn insert(&mut self, first: u128, last: u128) {
        self.0.push((first, last));
        self.0.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(self.0.len());
        for &(a, b) in &self.0 {
            match merged.last_mut() {
                Some(prev) if a <= prev.1.saturating_add(1) => prev.1 = prev.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        self.0 = merged;
    }

    /// The parts of `first..=last` not in the set.
    fn missing(&self, first: u128, last: u128) -> Vec<(u128, u128)> {
        let mut out = Vec::new();
        let mut cursor = first;
        for &(a, b) in &self.0 {
            if b < cursor {
                continue;
            }
            if a > last {
                break;
            }
            if a > cursor {
                out.push((cursor, a - 1));
            }
            match b.checked_add(1) {
                Some(next) => cursor = next,
                None => return out,
            }
            if cursor > last {
                return out;
            }
        }
        out.push((cursor, last));
        out
    }

    fn covers(&self, family: Family) -> bool {
        self.missing(0, family.last()).is_empty()
    }
}

/// The transport protocols that carry traffic to a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    /// TCP (protocol 6).
    Tcp,
    /// UDP (protocol 17).
    Udp,
}

impl Transport {
    const ALL: [Transport; 2] = [Transport::Tcp, Transport::Udp];
}

/// Whether traffic of `protocol` (a name or number, as AWS reports it; `-1` for all) can
/// be `transport` traffic to `port`, given the rule's port range. A tcp or udp rule without
/// a range (or with `-1`) covers every port, as AWS reads it.
fn reaches(
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    transport: Transport,
    port: u16,
) -> bool {
    let carries = match protocol.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => return true,
        "tcp" | "6" => Transport::Tcp,
        "udp" | "17" => Transport::Udp,
        _ => return false,
    };
    carries == transport
        && match (from, to) {
            (Some(f), Some(t)) if f >= 0 && t >= 0 => (f..=t).contains(&i32::from(port)),
            _ => true,
        }
}

/// A port as messages name it: `22 (SSH)`, or the number alone.
pub fn describe_port(port: u16) -> String {
    let name = match port {
        21 => "FTP",
        22 => "SSH",
        23 => "Telnet",
        3389 => "RDP",
        5900 => "VNC",
        5985 => "WinRM over HTTP",
        5986 => "WinRM over HTTPS",
        _ => return port.to_string(),
    };
    format!("{port} ({name})")
}

fn describe_protocol(protocol: &str, from: Option<i32>, to: Option<i32>) -> String {
    let name = match protocol.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => return "all traffic".to_owned(),
        "tcp" | "6" => "tcp",
        "udp" | "17" => "udp",
        "icmp" | "1" => "icmp",
        other => return format!("protocol {other}"),
    };
    match (from, to) {
        (Some(f), Some(t)) if f >= 0 && t >= 0 && f == t => format!("{name} {f}"),
        (Some(f), Some(t)) if f >= 0 && t >= 0 => format!("{name} {f}-{t}"),
        _ => format!("{name} (all ports)"),
    }
}

/// One port let in from every address of a family, and what lets it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPort {
    /// The port.
    pub port: u16,
    /// The family whose every address reaches it.
    pub family: Family,
    /// The rules or entries that open it, as messages show them
    /// (`tcp 0-65535 from 0.0.0.0/0`, `entry 100: allow all traffic from 0.0.0.0/0`).
    pub opened_by: Vec<String>,
}

/// What a security group or a network ACL lets in from the whole internet, for some ports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Ports reachable from every address of a family (one entry per port and family).
    pub open: Vec<OpenPort>,
    /// Ports that may be reachable: a rule or entry that reaches them names a source rampart
    /// cannot resolve into addresses (a prefix list, a CIDR that does not parse).
    pub unresolved: Vec<(u16, String)>,
}

impl Exposure {
    /// The open ports, each once, in order.
    pub fn open_ports(&self) -> BTreeSet<u16> {
        self.open.iter().map(|o| o.port).collect()
    }

    fn add_open(&mut self, port: u16, family: Family, opened_by: Vec<String>) {
        match self
            .open
            .iter_mut()
            .find(|o| o.port == port && o.family == family)
        {
            Some(o) => {
                for by in opened_by {
                    if !o.opened_by.contains(&by) {
                        o.opened_by.push(by);
                    }
                }
            }
            None => self.open.push(OpenPort {
                port,
                family,
                opened_by,
            }),
        }
    }

    fn add_unresolved(&mut self, port: u16, what: String) {
        if !self
            .unresolved
            .iter()
            .any(|(p, w)| *p == port && *w == what)
        {
            self.unresolved.push((port, what));
        }
    }
}

/// A security group rule as messages show it: `tcp 22 from 0.0.0.0/0`.
pub fn describe_rule(rule: &SecurityGroupRule) -> String {
    format!(
        "{} from {}",
        describe_protocol(&rule.protocol, Some(rule.from_port), Some(rule.to_port)),
        rule.source
    )
}

/// Which of `ports` a security group lets in from every IPv4 or every IPv6 address. A port
/// is open when the address sources of the inbound rules that reach it (all traffic, or tcp
/// or udp with a port range covering it) together cover a whole family; rules whose source
/// is another security group admit no address of their own. A prefix list, or a source that
/// does not parse, cannot be resolved: the port is then `unresolved` (unless open anyway).
pub fn security_group_exposure(group: &SecurityGroup, ports: &[u16]) -> Exposure {
    let mut exposure = Exposure::default();
    let ports: BTreeSet<u16> = ports.iter().copied().collect();
    for port in ports {
        for transport in Transport::ALL {
            let reaching: Vec<&SecurityGroupRule> = group
                .ingress
                .iter()
                .filter(|r| {
                    reaches(
                        &r.protocol,
                        Some(r.from_port),
                        Some(r.to_port),
                        transport,
                        port,
                    )
                })
                .collect();
            let parsed: Vec<(&SecurityGroupRule, AddressRange)> = reaching
                .iter()
                .filter_map(|r| AddressRange::parse(&r.source).map(|a| (*r, a)))
                .collect();
            for family in Family::ALL {
                let of_family: Vec<&(&SecurityGroupRule, AddressRange)> =
                    parsed.iter().filter(|(_, a)| a.family == family).collect();
                let mut union = RangeSet::default();
                for (_, a) in &of_family {
                    union.insert(a.first, a.last);
                }
                if !union.covers(family) {
                    continue;
                }
                // Name the rules open to everything; several narrower ones only when they
                // cover it together.
                let whole: Vec<String> = of_family
                    .iter()
                    .filter(|(_, a)| a.is_everything())
                    .map(|(r, _)| describe_rule(r))
                    .collect();
                let opened_by = if whole.is_empty() {
                    of_family.iter().map(|(r, _)| describe_rule(r)).collect()
                } else {
                    whole
                };
                exposure.add_open(port, family, opened_by);
            }
            for r in reaching {
                if AddressRange::parse(&r.source).is_none() && !is_group_reference(&r.source) {
                    exposure.add_unresolved(port, describe_rule(r));
                }
            }
        }
    }
    let open = exposure.open_ports();
    exposure.unresolved.retain(|(p, _)| !open.contains(p));
    exposure
}

/// A source naming another security group (`sg-…`, or `ACCOUNT/sg-…` across accounts).
fn is_group_reference(source: &str) -> bool {
    source.starts_with("sg-") || source.contains("/sg-")
}

/// A network ACL entry as messages show it: `entry 100: allow all traffic from 0.0.0.0/0`.
pub fn describe_entry(entry: &NetworkAclEntry) -> String {
    format!(
        "entry {}: {} {} from {}",
        entry.rule_number,
        entry.action.to_ascii_lowercase(),
        describe_protocol(&entry.protocol, entry.from_port, entry.to_port),
        entry.cidr
    )
}

/// Which of `ports` a network ACL lets in from the whole internet, under its semantics:
/// inbound entries are evaluated in rule-number order and the first entry matching a packet
/// decides. A port is open for a family when an `allow` entry for every address of the
/// family (`0.0.0.0/0`, `::/0`) is reached by some address that no earlier entry decided, or
/// when the addresses allowed together cover the family. An entry whose CIDR does not parse
/// stops the walk for that port: what follows cannot be known, so the port is `unresolved`.
pub fn network_acl_exposure(acl: &NetworkAcl, ports: &[u16]) -> Exposure {
    let mut inbound: Vec<&NetworkAclEntry> = acl.entries.iter().filter(|e| !e.egress).collect();
    inbound.sort_by_key(|e| e.rule_number);
    let mut exposure = Exposure::default();
    let ports: BTreeSet<u16> = ports.iter().copied().collect();
    for port in ports {
        for transport in Transport::ALL {
            for family in Family::ALL {
                let mut decided = RangeSet::default();
                let mut allowed = RangeSet::default();
                let mut allowing: Vec<&NetworkAclEntry> = Vec::new();
                let mut world: Option<&NetworkAclEntry> = None;
                let mut unresolved: Option<&NetworkAclEntry> = None;
                for e in &inbound {
                    if !reaches(&e.protocol, e.from_port, e.to_port, transport, port) {
                        continue;
                    }
                    let Some(range) = AddressRange::parse(&e.cidr) else {
                        unresolved = Some(e);
                        break;
                    };
                    if range.family != family {
                        continue;
                    }
                    if e.action.eq_ignore_ascii_case("allow") {
                        let new = decided.missing(range.first, range.last);
                        if !new.is_empty() {
                            for (a, b) in new {
                                allowed.insert(a, b);
                            }
                            allowing.push(e);
                            if range.is_everything() {
                                world = Some(e);
                                break;
                            }
                        }
                    }
                    decided.insert(range.first, range.last);
                }
                if let Some(e) = world {
                    exposure.add_open(port, family, vec![describe_entry(e)]);
                } else if allowed.covers(family) {
                    let by = allowing.iter().map(|e| describe_entry(e)).collect();
                    exposure.add_open(port, family, by);
                } else if let Some(e) = unresolved {
                    exposure.add_unresolved(port, describe_entry(e));
                }
            }
        }
    }
    let open = exposure.open_ports();
    exposure.unresolved.retain(|(p, _)| !open.contains(p));
    exposure
}

/// Whether a route's destination is every address of its family (a default route).
pub fn is_default_route(route: &Route) -> bool {
    AddressRange::parse(&route.destination).is_some_and(|a| a.is_everything())
}

/// The routes of a table that lead to an internet gateway (`igw-…`). Egress-only internet
/// gateways (`eigw-…`) let nothing in and are not counted.
pub fn internet_gateway_routes(table: &RouteTable) -> impl Iterator<Item = &Route> {
    table.routes.iter().filter(|r| r.target.starts_with("igw-"))
}

/// The internet gateways of `account` attached to the VPC `vpc_id` of `region`.
pub fn internet_gateways_of<'a>(
    account: &'a Account,
    region: &'a str,
    vpc_id: &'a str,
) -> impl Iterator<Item = &'a InternetGateway> {
    account
        .network
        .internet_gateways
        .iter()
        .filter(move |g| g.region == region && g.attached_vpc_ids.iter().any(|v| v == vpc_id))
}

/// The route table a subnet uses: the one explicitly associated with it, else its VPC's main
/// route table; `None` when neither was read.
pub fn subnet_route_table<'a>(
    account: &'a Account,
    region: &str,
    vpc_id: &str,
    subnet_id: &str,
) -> Option<&'a RouteTable> {
    let tables = || {
        account
            .network
            .route_tables
            .iter()
            .filter(move |t| t.region == region && t.vpc_id == vpc_id)
    };
    tables()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
        .or_else(|| tables().find(|t| t.main))
}

/// A VPC as messages name it: `` `vpc-0abc` (`egress-eu-west-1`) ``.
pub fn vpc_label(vpc: &Vpc) -> String {
    match vpc.tags.get("Name") {
        Some(name) => format!("`{}` (`{name}`)", vpc.vpc_id),
        None => format!("`{}`", vpc.vpc_id),
    }
}

/// A VPC: from the account that refers to it, else from any account of the snapshot (a
/// shared VPC belongs to its owner); `None` when no account read it.
pub fn find_vpc<'s>(
    snapshot: &'s Snapshot,
    account_id: &str,
    region: &str,
    vpc_id: &str,
) -> Option<&'s Vpc> {
    let in_account = |a: &'s Account| {
        a.network
            .vpcs
            .iter()
            .find(|v| v.vpc_id == vpc_id && v.region == region)
    };
    snapshot
        .account(account_id)
        .and_then(in_account)
        .or_else(|| snapshot.accounts.iter().find_map(in_account))
}

/// The address ranges of one VPC that is not a default VPC, parsed once per evaluation for
/// the rules that compare every VPC of the organization with every other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcRanges {
    /// The VPC's ARN.
    pub arn: String,
    /// The account it belongs to.
    pub account_id: String,
    /// The ranges of its CIDR blocks (blocks that do not parse are left out).
    pub ranges: Vec<AddressRange>,
}

/// The address ranges of every VPC of the snapshot that is not a default VPC, with an index
/// that finds the VPCs overlapping a range without comparing it with every other VPC.
#[derive(Debug, Clone, Default)]
pub(super) struct OrgVpcRanges {
    /// In snapshot order.
    vpcs: Vec<VpcRanges>,
    /// Every range with the position of its VPC in `vpcs`, sorted by range.
    sorted: Vec<(AddressRange, usize)>,
}

impl OrgVpcRanges {
    pub(super) fn new(snapshot: &Snapshot) -> OrgVpcRanges {
        let vpcs: Vec<VpcRanges> = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.network.vpcs.iter())
            .filter(|v| !v.is_default)
            .map(|v| VpcRanges {
                arn: v.arn.clone(),
                account_id: v.account_id.clone(),
                ranges: v
                    .cidr_blocks
                    .iter()
                    .filter_map(|c| AddressRange::parse(c))
                    .collect(),
            })
            .collect();
        OrgVpcRanges::from_vpcs(vpcs)
    }

    /// Indexes the ranges of these VPCs.
    pub(super) fn from_vpcs(vpcs: Vec<VpcRanges>) -> OrgVpcRanges {
        let mut sorted: Vec<(AddressRange, usize)> = vpcs
            .iter()
            .enumerate()
            .flat_map(|(i, v)| v.ranges.iter().map(move |r| (*r, i)))
            .collect();
        sorted.sort_unstable();
        OrgVpcRanges { vpcs, sorted }
    }

    /// The positions in [`Facts::vpc_ranges`] of the VPCs with a range that shares an
    /// address with one of `ranges`, sorted, each once.
    ///
    /// Every range is a CIDR block ([`AddressRange::parse`] clears the host bits), and two
    /// blocks overlap only when one holds the other: a block overlapping `r` either starts
    /// inside `r`, or starts before it at `r`'s first address with fewer prefix bits. So
    /// each range costs one bisection for the blocks starting inside it and one per shorter
    /// prefix length, whatever the size of the organization.
    pub(super) fn overlapping(&self, ranges: &[AddressRange]) -> Vec<usize> {
        let mut found = Vec::new();
        for r in ranges {
            let start = |first: u128| {
                self.sorted
                    .partition_point(|(x, _)| (x.family, x.first) < (r.family, first))
            };
            // Blocks starting inside `r`.
            found.extend(
                self.sorted[start(r.first)..]
                    .iter()
                    .take_while(|(x, _)| x.family == r.family && x.first <= r.last)
                    .map(|&(_, i)| i),
            );
            // Blocks starting before `r` that hold its first address: their first address is
            // `r.first` with the host bits of their own prefix length cleared.
            for prefix in 0..r.family.bits() {
                let first = r.first & !r.family.last().checked_shr(prefix).unwrap_or(0);
                if first == r.first {
                    break;
                }
                found.extend(
                    self.sorted[start(first)..]
                        .iter()
                        .take_while(|(x, _)| x.family == r.family && x.first == first)
                        .filter(|(x, _)| x.last >= r.first)
                        .map(|&(_, i)| i),
                );
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Whether a VPC is designated for internet traffic, as far as the snapshot tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Designation<'s> {
    /// Designated: its id or `Name` tag matches `internet_vpcs` (the VPC, when read).
    Internet(Option<&'s Vpc>),
    /// Read, and not designated.
    Other(&'s Vpc),
    /// Not read, and its id alone matches no glob: its `Name` tag might.
    Unread,
}

/// A gap, in any account and region, hiding the data of `operation` for whole accounts or
/// regions (not one resource's details), or hiding which accounts the organization has: a
/// rule that looks across accounts cannot conclude "none elsewhere" while one stands.
pub fn read_gap(snapshot: &Snapshot, operation: Operation) -> Option<&CoverageGap> {
    const ACCOUNT_LISTING: [Operation; 2] = [
        Operation::OrganizationsListAccountsForParent,
        Operation::OrganizationsListOrganizationalUnitsForParent,
    ];
    snapshot.coverage.iter().find(|g| {
        g.resource.is_none()
            && ((g.service == Read::Operation(operation).service()
                && g.operation.is_none_or(|op| op == operation))
                || g.operation.is_some_and(|op| ACCOUNT_LISTING.contains(&op)))
    })
}

/// A gap hiding the data of `operation` about one resource (its ARN), or about every
/// resource of the account and region: a rule that reads a resource other than the one it
/// judges (a subnet's route table) asks this before concluding.
pub fn resource_gap<'s>(
    snapshot: &'s Snapshot,
    account_id: &str,
    region: &str,
    operation: Operation,
    arn: &str,
) -> Option<&'s CoverageGap> {
    snapshot
        .coverage
        .iter()
        .find(|g| g.covers(account_id, region, Read::Operation(operation), Some(arn)))
}

/// A gap as a rule's message names it: `` `ec2:DescribeVpcs` data for account `*` region `*` ``.
pub fn gap_scope(gap: &CoverageGap) -> String {
    let what = gap.operation.map_or(gap.service.prefix(), |op| op.name());
    format!(
        "`{what}` data for account `{}` region `{}`",
        gap.account_id, gap.region
    )
}

/// Whether the data of `operation` is missing for `account_id` in `region`, so that a
/// resource a rule would assess there may be absent from the snapshot.
pub fn unread(snapshot: &Snapshot, account_id: &str, region: &str, operation: Operation) -> bool {
    snapshot
        .coverage
        .iter()
        .any(|g| g.covers(account_id, region, Read::Operation(operation), None))
}

/// Whether a resource that `account` lists, owned by `owner_id`, is assessed in this
/// account: resources shared through RAM appear in every account they are shared with, and
/// are assessed once, in their owner's listing (or here when the owner was not read).
pub fn assessed_here(snapshot: &Snapshot, account: &Account, owner_id: &str) -> bool {
    owner_id == account.id || snapshot.account(owner_id).is_none()
}

impl Facts {
    /// The address ranges of every VPC of the snapshot that is not a default VPC.
    pub fn vpc_ranges(&self) -> &[VpcRanges] {
        &self.vpc_ranges.vpcs
    }

    /// The positions in [`Facts::vpc_ranges`] of the VPCs with a range that shares an
    /// address with one of `ranges` (the VPC the ranges belong to included), sorted.
    pub fn vpcs_overlapping(&self, ranges: &[AddressRange]) -> Vec<usize> {
        self.vpc_ranges.overlapping(ranges)
    }

    /// Whether the account `account_id` is a network hub account (see
    /// [`Facts::is_network_account`]); `None` for an account outside the snapshot whose id
    /// is not listed, since its name cannot be matched.
    pub fn is_network_account_id(&self, snapshot: &Snapshot, account_id: &str) -> Option<bool> {
        match snapshot.account(account_id) {
            Some(account) => Some(self.is_network_account(account)),
            None if self.params.network_accounts.iter().any(|s| s == account_id) => Some(true),
            None => None,
        }
    }

    /// Whether the ruleset designates a VPC for internet ingress or egress: its id or its
    /// `Name` tag matches one of `internet_vpcs` (globs, ignoring case).
    pub fn is_internet_vpc(&self, vpc: &Vpc) -> bool {
        self.internet_vpc_id(&vpc.vpc_id)
            || vpc.tags.get("Name").is_some_and(|name| {
                self.params
                    .internet_vpcs
                    .iter()
                    .any(|g| rampart_iam::wildcard::matches_ignore_case(g, name))
            })
    }

    fn internet_vpc_id(&self, vpc_id: &str) -> bool {
        self.params
            .internet_vpcs
            .iter()
            .any(|g| rampart_iam::wildcard::matches_ignore_case(g, vpc_id))
    }

    /// Whether the VPC `vpc_id` that a resource of `account_id` in `region` belongs to is
    /// designated for internet traffic (see [`find_vpc`] for where it is looked up).
    pub fn vpc_designation<'s>(
        &self,
        snapshot: &'s Snapshot,
        account_id: &str,
        region: &str,
        vpc_id: &str,
    ) -> Designation<'s> {
        match find_vpc(snapshot, account_id, region, vpc_id) {
            Some(vpc) if self.is_internet_vpc(vpc) => Designation::Internet(Some(vpc)),
            Some(vpc) => Designation::Other(vpc),
            None if self.internet_vpc_id(vpc_id) => Designation::Internet(None),
            None => Designation::Unread,
        }
    }

    /// Whether an account's environment is one of the ruleset's `workload_environments`.
    pub fn is_workload_account(&self, account_id: &str) -> bool {
        self.environment(account_id)
            .is_some_and(|env| self.params.workload_environments.iter().any(|w| w == env))
    }
}

#[cfg(test)]
mod tests;
