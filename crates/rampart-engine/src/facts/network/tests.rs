use super::*;
use crate::model::{Source, Tags};

fn range(cidr: &str) -> AddressRange {
    AddressRange::parse(cidr).unwrap_or_else(|| panic!("`{cidr}` parses"))
}

fn group(rules: &[(&str, i32, i32, &str)]) -> SecurityGroup {
    SecurityGroup {
        arn: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1".to_owned(),
        account_id: "111122223333".to_owned(),
        region: "eu-west-1".to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        group_id: "sg-1".to_owned(),
        name: "g".to_owned(),
        vpc_id: "vpc-1".to_owned(),
        ingress: rules
            .iter()
            .map(|(protocol, from, to, source)| SecurityGroupRule {
                protocol: (*protocol).to_owned(),
                from_port: *from,
                to_port: *to,
                source: (*source).to_owned(),
            })
            .collect(),
        egress: None,
    }
}

/// Entries as `(rule number, action, protocol, cidr, ports)`, all inbound.
type Entry<'a> = (i32, &'a str, &'a str, &'a str, Option<(i32, i32)>);

fn acl(entries: &[Entry<'_>]) -> NetworkAcl {
    NetworkAcl {
        arn: "arn:aws:ec2:eu-west-1:111122223333:network-acl/acl-1".to_owned(),
        account_id: "111122223333".to_owned(),
        region: "eu-west-1".to_owned(),
        tags: Tags::new(),
        source: Source::Synthetic,
        network_acl_id: "acl-1".to_owned(),
        vpc_id: "vpc-1".to_owned(),
        is_default: false,
        subnet_ids: vec!["subnet-1".to_owned()],
        entries: entries
            .iter()
            .map(|(n, action, protocol, cidr, ports)| NetworkAclEntry {
                rule_number: *n,
                egress: false,
                action: (*action).to_owned(),
                protocol: (*protocol).to_owned(),
                cidr: (*cidr).to_owned(),
                from_port: ports.map(|p| p.0),
                to_port: ports.map(|p| p.1),
            })
            .collect(),
    }
}

const ADMIN: [u16; 4] = [22, 3389, 5985, 5986];

#[test]
fn cidr_blocks_parse_into_address_ranges() {
    let a = range("10.20.0.0/16");
    assert_eq!(
        (a.family, a.first, a.last),
        (Family::V4, 0x0a14_0000, 0x0a14_ffff)
    );
    assert!(range("0.0.0.0/0").is_everything() && range("::/0").is_everything());
    assert!(!range("0.0.0.0/1").is_everything());
    // Host bits are ignored, a bare address is one address.
    assert_eq!(range("10.20.3.4/16"), a);
    assert_eq!(range("10.0.0.1").first, range("10.0.0.1").last);
    let v6 = range("2001:db8::/32");
    assert_eq!(v6.family, Family::V6);
    assert!(range("2001:db8:ffff::/48").overlaps(&v6));
    for bad in [
        "pl-12345678",
        "sg-0abc",
        "10.0.0.0/33",
        "::/129",
        "10.0.0/8",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "",
    ] {
        assert_eq!(AddressRange::parse(bad), None, "{bad}");
    }
}

#[test]
fn ranges_overlap_when_they_share_an_address() {
    assert!(range("10.20.0.0/16").overlaps(&range("10.20.128.0/17")));
    assert!(range("10.0.0.0/8").overlaps(&range("10.255.255.255/32")));
    assert!(!range("10.0.0.0/20").overlaps(&range("10.0.16.0/20")));
    // The same integers in different families are different addresses.
    assert!(!range("0.0.0.0/0").overlaps(&range("::/96")));
}

#[test]
fn a_port_range_or_all_traffic_from_anywhere_opens_admin_ports() {
    let g = group(&[("tcp", 3000, 3999, "0.0.0.0/0"), ("-1", -1, -1, "::/0")]);
    let e = security_group_exposure(&g, &ADMIN);
    assert_eq!(e.open_ports(), [22, 3389, 5985, 5986].into_iter().collect());
    let rdp_v4 = e
        .open
        .iter()
        .find(|o| o.port == 3389 && o.family == Family::V4)
        .expect("3389 over IPv4");
    assert_eq!(rdp_v4.opened_by, ["tcp 3000-3999 from 0.0.0.0/0"]);
    let ssh: Vec<&OpenPort> = e.open.iter().filter(|o| o.port == 22).collect();
    assert_eq!(ssh.len(), 1);
    assert_eq!(ssh[0].opened_by, ["all traffic from ::/0"]);
}

#[test]
fn narrower_sources_other_ports_and_protocols_keep_admin_ports_closed() {
    let g = group(&[
        ("tcp", 22, 22, "10.0.0.0/8"),
        ("tcp", 443, 443, "0.0.0.0/0"),
        ("icmp", -1, -1, "0.0.0.0/0"),
        ("58", -1, -1, "::/0"),
        ("-1", -1, -1, "sg-0123456789abcdef0"),
        ("tcp", 3389, 3389, "123456789012/sg-0123"),
    ]);
    let e = security_group_exposure(&g, &ADMIN);
    assert!(e.open.is_empty() && e.unresolved.is_empty(), "{e:?}");
}

#[test]
fn halves_of_the_internet_together_are_the_internet() {
    let g = group(&[("tcp", 22, 22, "0.0.0.0/1"), ("6", 0, 65535, "128.0.0.0/1")]);
    let e = security_group_exposure(&g, &[22]);
    assert_eq!(e.open.len(), 1);
    assert_eq!(
        e.open[0].opened_by,
        ["tcp 22 from 0.0.0.0/1", "tcp 0-65535 from 128.0.0.0/1"]
    );
    // Halves over different transports are not one opening.
    let split = group(&[("tcp", 22, 22, "0.0.0.0/1"), ("udp", 22, 22, "128.0.0.0/1")]);
    assert!(security_group_exposure(&split, &[22]).open.is_empty());
}

#[test]
fn prefix_lists_and_unparseable_sources_are_unresolved_unless_open_anyway() {
    let g = group(&[
        ("tcp", 22, 22, "pl-0a1b2c3d"),
        ("tcp", 8080, 8080, "pl-0a1b2c3d"),
    ]);
    let e = security_group_exposure(&g, &ADMIN);
    assert!(e.open.is_empty());
    assert_eq!(e.unresolved, [(22, "tcp 22 from pl-0a1b2c3d".to_owned())]);
    let g = group(&[("tcp", 22, 22, "pl-0a1b2c3d"), ("tcp", 22, 22, "0.0.0.0/0")]);
    let e = security_group_exposure(&g, &ADMIN);
    assert_eq!(e.open_ports(), [22].into_iter().collect());
    assert!(e.unresolved.is_empty());
}

#[test]
fn the_default_allow_all_network_acl_is_open() {
    let a = acl(&[
        (100, "allow", "-1", "0.0.0.0/0", None),
        (32767, "deny", "-1", "0.0.0.0/0", None),
    ]);
    let e = network_acl_exposure(&a, &ADMIN);
    assert_eq!(e.open_ports().len(), 4);
    assert_eq!(
        e.open[0].opened_by,
        ["entry 100: allow all traffic from 0.0.0.0/0"]
    );
    assert!(e.open.iter().all(|o| o.family == Family::V4));
}

#[test]
fn an_earlier_deny_closes_the_port_whatever_the_order_in_the_list() {
    let a = acl(&[
        (100, "allow", "-1", "0.0.0.0/0", None),
        (90, "deny", "6", "0.0.0.0/0", Some((22, 22))),
        (91, "deny", "17", "0.0.0.0/0", Some((0, 65535))),
    ]);
    let e = network_acl_exposure(&a, &[22, 3389]);
    assert_eq!(e.open_ports(), [3389].into_iter().collect());
}

#[test]
fn a_narrow_earlier_deny_leaves_the_rest_of_the_internet_in() {
    let a = acl(&[
        (90, "deny", "6", "203.0.113.0/24", Some((22, 22))),
        (100, "allow", "6", "0.0.0.0/0", Some((0, 65535))),
    ]);
    let e = network_acl_exposure(&a, &[22]);
    assert_eq!(e.open.len(), 1);
    assert_eq!(
        e.open[0].opened_by,
        ["entry 100: allow tcp 0-65535 from 0.0.0.0/0"]
    );
}

#[test]
fn hardened_acls_with_ephemeral_ports_must_deny_admin_ports_above_1023() {
    let hardened = acl(&[
        (80, "deny", "6", "0.0.0.0/0", Some((3389, 3389))),
        (81, "deny", "6", "0.0.0.0/0", Some((5985, 5986))),
        (100, "allow", "6", "0.0.0.0/0", Some((443, 443))),
        (120, "allow", "6", "0.0.0.0/0", Some((1024, 65535))),
        (32767, "deny", "-1", "0.0.0.0/0", None),
    ]);
    let e = network_acl_exposure(&hardened, &ADMIN);
    assert!(e.open.is_empty() && e.unresolved.is_empty(), "{e:?}");
    let mut forgotten = hardened.clone();
    forgotten.entries.remove(0);
    let e = network_acl_exposure(&forgotten, &ADMIN);
    assert_eq!(e.open_ports(), [3389].into_iter().collect());
    assert_eq!(
        e.open[0].opened_by,
        ["entry 120: allow tcp 1024-65535 from 0.0.0.0/0"]
    );
}

#[test]
fn ipv6_entries_are_their_own_family() {
    let a = acl(&[
        (100, "allow", "-1", "0.0.0.0/0", None),
        (90, "deny", "-1", "0.0.0.0/0", None),
        (101, "allow", "6", "::/0", Some((22, 22))),
    ]);
    let e = network_acl_exposure(&a, &[22]);
    assert_eq!(e.open.len(), 1);
    assert_eq!(e.open[0].family, Family::V6);
}

#[test]
fn allow_entries_that_cover_the_internet_together_open_the_port() {
    let a = acl(&[
        (100, "allow", "6", "0.0.0.0/1", Some((22, 22))),
        (110, "allow", "6", "128.0.0.0/1", Some((22, 22))),
    ]);
    assert_eq!(network_acl_exposure(&a, &[22]).open.len(), 1);
}

#[test]
fn an_unparseable_entry_before_the_decision_is_unresolved() {
    // UDP 22 is denied, so only the TCP walk decides port 22, and it stops at entry 90.
    let a = acl(&[
        (90, "deny", "6", "not-a-cidr", Some((22, 22))),
        (91, "deny", "17", "0.0.0.0/0", Some((22, 22))),
        (100, "allow", "-1", "0.0.0.0/0", None),
    ]);
    let e = network_acl_exposure(&a, &[22, 3389]);
    assert_eq!(e.open_ports(), [3389].into_iter().collect());
    assert_eq!(
        e.unresolved,
        [(22, "entry 90: deny tcp 22 from not-a-cidr".to_owned())]
    );
}

#[test]
fn default_routes_are_every_address_of_a_family() {
    let route = |d: &str| Route {
        destination: d.to_owned(),
        target: "igw-1".to_owned(),
    };
    assert!(is_default_route(&route("0.0.0.0/0")) && is_default_route(&route("::/0")));
    assert!(!is_default_route(&route("10.0.0.0/8")) && !is_default_route(&route("pl-1")));
}

#[test]
fn ports_are_named_in_messages() {
    assert_eq!(describe_port(22), "22 (SSH)");
    assert_eq!(describe_port(8443), "8443");
}
