//! One module per AWS service. Each reads one account (and region, for regional services)
//! and records what it could not read as coverage gaps; none of them fails.

pub(crate) mod account;
pub(crate) mod acm;
pub(crate) mod cloudtrail;
pub(crate) mod config;
pub(crate) mod direct_connect;
pub(crate) mod dns;
pub(crate) mod ec2;
pub(crate) mod elb;
pub(crate) mod iam;
pub(crate) mod kms;
pub(crate) mod ram;
pub(crate) mod rds;
pub(crate) mod s3;
pub(crate) mod security;
pub(crate) mod transit_gateway;
