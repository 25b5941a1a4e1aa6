//! CloudFormation templates: the sections rules read, typed, with every node's span kept
//! (`template.rs`), and a resolver of intrinsic functions that answers a known value or
//! `Unknown`, never a guess (`resolve.rs`).

mod resolve;
mod resolved;
mod template;

pub use resolve::{resolve, PseudoParameter, ResolveContext};
pub use resolved::{Resolved, ResourceReference, Unknown, UnknownReason};
pub use template::{ForEach, Named, Parameter, Resource, ResourceType, Suppression, Template};
