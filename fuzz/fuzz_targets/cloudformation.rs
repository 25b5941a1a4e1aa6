//! CloudFormation templates, YAML and JSON: parsing (`rampart_iac::parse_document`, what
//! `rampart check` calls on each file), intrinsic-function resolution, conditions and the
//! mapping into the model never panic, hang or exhaust memory, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart_fuzz::check_iac_bytes("template.yaml", data);
});
