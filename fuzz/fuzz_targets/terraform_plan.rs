//! Terraform plans (`terraform show -json`): parsing (`rampart_iac::parse_document`, what
//! `rampart check` calls on each file) and the mapping into the model never panic, hang or
//! exhaust memory, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart_fuzz::check_iac_bytes("plan.json", data);
});
