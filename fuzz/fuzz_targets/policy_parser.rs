//! The policy parser, the validator (`rampart iam validate`) and the simulation-input reader
//! (`rampart iam simulate`) must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_iam::validate::PolicyType;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = rampart_iam::parse_policy(text) {
        // Whatever parses must also evaluate without panicking.
        let request = rampart_iam::evaluate::Request {
            action: "s3:GetObject".to_owned(),
            resource: "arn:aws:s3:::b/k".to_owned(),
            resource_account: "111122223333".to_owned(),
            ..Default::default()
        };
        let principal = rampart_iam::evaluate::Principal {
            arn: "arn:aws:iam::111122223333:role/r".to_owned(),
            account: "111122223333".to_owned(),
            ..Default::default()
        };
        let identity = [policy.clone()];
        let inputs = rampart_iam::evaluate::PolicyInputs {
            identity: &identity,
            resource: Some(&policy),
            ..Default::default()
        };
        let _ = rampart_iam::evaluate::evaluate(&inputs, &principal, &request);
    }
    // The kind from the length: the input stays the file's text, as seeded.
    let kind = PolicyType::ALL[data.len() % PolicyType::ALL.len()];
    let _ = rampart_iam::validate::validate(text, kind);
    if let Ok((cases, _)) = rampart_iam::simulate::parse_input(text) {
        let _ = rampart_iam::simulate::run(&cases);
    }
});
