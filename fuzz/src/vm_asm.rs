//! The `vm_asm` target: arbitrary text into the assembler and, when it assembles, into the VM
//! in every cache mode, with a jump limit and a string limit so that every run ends quickly in
//! bounded memory.
//!
//! What must hold: assembling never panics (bad text is an `AsmError` with a line and column
//! inside the text); running never panics (bad programs are a `VmError` naming an instruction
//! that exists); and the caches change nothing but speed: the uncached, version-cached and
//! slot-cached VMs return the same value or the same error, on a cold first run and on a warm
//! second run. The input is text, not structure, because the assembler's job is to reject
//! what is not structured.

use vdict::vm::{assemble, CacheMode, ErrorKind, Value, Vm, VmError};

/// Jumps any one run may take (every loop jumps, so this bounds the run).
pub const JUMP_LIMIT: u64 = 1_000;
/// Bytes any string may grow to.
pub const STRING_LIMIT: usize = 1 << 16;

/// Assembles and runs `source`, panicking if any of the properties above fails.
pub fn check(source: &str) {
    let code = match assemble(source) {
        Ok(code) => code,
        Err(error) => {
            let lines = source.lines().count().max(1);
            assert!(
                (1..=lines + 1).contains(&error.line),
                "error on line {} of a {lines}-line text: {error}",
                error.line
            );
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let mut expected: Option<Vec<Result<Value, VmError>>> = None;
    for mode in CacheMode::ALL {
        let mut code = code.clone();
        let mut vm = Vm::new(mode)
            .with_jump_limit(JUMP_LIMIT)
            .with_string_limit(STRING_LIMIT);
        // The same VM twice: the second run starts with warm caches and the globals the first
        // run left behind.
        let results: Vec<_> = (0..2).map(|_| vm.run(&mut code)).collect();
        for result in &results {
            if let Err(error) = result {
                assert!(
                    error.offset < code.ops().len().max(1),
                    "{mode:?}: error at offset {} of {} instructions: {error}",
                    error.offset,
                    code.ops().len()
                );
                if let ErrorKind::JumpLimitExceeded(limit) = error.kind {
                    assert_eq!(limit, JUMP_LIMIT);
                }
            }
        }
        match &expected {
            None => expected = Some(results),
            Some(uncached) => assert_eq!(
                &results, uncached,
                "{mode:?} differs from the uncached VM on:\n{source}"
            ),
        }
    }
}
