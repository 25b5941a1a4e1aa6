//! CloudFormation templates: the sections rules read, typed, with every node's span kept
//! (`template.rs`), and a resolver of intrinsic functions that answers a known value or
//! `Unknown`, never a guess (`resolve.rs`).

mod for_each;
mod resolve;
mod resolved;
mod sam;
mod template;

pub use for_each::{UndecidedLoop, LANGUAGE_EXTENSIONS};
pub use resolve::{resolve, PseudoParameter, ResolveContext};
pub use resolved::{Resolved, ResourceReference, Unknown, UnknownReason};
pub use sam::SERVERLESS;
pub use template::{ForEach, Named, Parameter, Resource, ResourceType, Suppression, Template};
