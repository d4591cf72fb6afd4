//! The reference VM: the example programs give the right answers in every cache mode, the
//! assembler's errors say where and what was expected, and runtime errors are `Err`s with the
//! failing instruction's offset.

use vdict::vm::{assemble, workloads, CacheMode, Code, ErrorKind, Op, Value, Vm};

fn program(name: &str) -> String {
    let path = format!(
        "{}/examples/programs/{name}.vasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs `source` in each mode (twice: cold caches, then warm) and returns the results.
fn run_everywhere(source: &str) -> Vec<Result<Value, String>> {
    let mut results = Vec::new();
    for mode in CacheMode::ALL {
        let mut code = assemble(source).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..2 {
            let mut vm = Vm::new(mode);
            results.push(vm.run(&mut code).map_err(|e| e.to_string()));
        }
    }
    results
}

fn assert_everywhere(source: &str, expected: Result<Value, String>) {
    for (i, result) in run_everywhere(source).into_iter().enumerate() {
        assert_eq!(
            result,
            expected,
            "mode {:?}, run {}",
            CacheMode::ALL[i / 2],
            i % 2
        );
    }
}

#[test]
fn global_counter_counts_to_100() {
    assert_everywhere(&program("global_counter"), Ok(Value::Int(100)));
}

#[test]
fn sum_with_builtins_matches_python() {
    // sum(max(0, min(40, abs(i - 50))) for i in range(100)), computed here independently.
    let expected: i64 = (0..100i64).map(|i| (i - 50).abs().clamp(0, 40)).sum();
    assert_everywhere(&program("sum_with_builtins"), Ok(Value::Int(expected)));
}

#[test]
fn shadowing_a_builtin_halfway_is_seen_by_every_mode() {
    let expected = 5 * "abc".len() as i64 + 3 * 100 + 2 * "abc".len() as i64;
    assert_everywhere(&program("shadow_builtin"), Ok(Value::Int(expected)));
}

#[test]
fn fibonacci_through_globals() {
    let (mut a, mut b) = (0i64, 1i64);
    for _ in 0..50 {
        (a, b) = (b, a + b);
    }
    assert_everywhere(&program("fibonacci"), Ok(Value::Int(a)));
}

#[test]
fn caches_stay_warm_across_runs_and_report_hits() {
    let mut code = assemble(&program("sum_with_builtins")).unwrap();
    let mut vm = Vm::new(CacheMode::Slot).with_cache_hits_counted();
    vm.run(&mut code).unwrap();
    let first = code.cache_stats().unwrap();
    assert_eq!(
        first.misses, 3,
        "one miss per LOAD_GLOBAL site: max, min, abs"
    );
    assert_eq!(first.hits, Some(3 * 99));
    vm.run(&mut code).unwrap();
    let second = code.cache_stats().unwrap();
    assert_eq!(second.misses, 3, "warm: no new misses");
    // The version cache misses only once per site too: nothing is stored to a global.
    let mut code = assemble(&program("sum_with_builtins")).unwrap();
    Vm::new(CacheMode::Version).run(&mut code).unwrap();
    assert_eq!(code.cache_stats().unwrap().misses, 3);
    // A VM that does not count hits remakes the sites (cold: three misses again) and reports
    // misses only; one that counts them remakes them again.
    let mut vm = Vm::new(CacheMode::Slot);
    vm.run(&mut code).unwrap();
    assert_eq!(code.cache_stats().unwrap().hits, None);
    assert_eq!(code.cache_stats().unwrap().misses, 3);
    Vm::new(CacheMode::Slot)
        .with_cache_hits_counted()
        .run(&mut code)
        .unwrap();
    assert_eq!(code.cache_stats().unwrap().hits, Some(3 * 99));
    // Uncached runs have no sites to report on.
    let mut code = assemble(&program("sum_with_builtins")).unwrap();
    Vm::new(CacheMode::None).run(&mut code).unwrap();
    assert_eq!(code.cache_stats(), None);
}

#[test]
fn rebinding_a_global_costs_the_version_cache_its_hits_but_not_the_slot_cache() {
    let source = workloads::store_then_load_global(10, 50);
    let mut rates = Vec::new();
    for mode in [CacheMode::Version, CacheMode::Slot] {
        let mut code = assemble(&source).unwrap();
        let mut vm = Vm::new(mode).with_cache_hits_counted();
        workloads::define_workload_globals(&mut vm);
        vm.run(&mut code).unwrap();
        rates.push(code.cache_stats().unwrap().hit_rate().unwrap());
        assert_eq!(vm.globals().get("counter"), Some(&Value::Int(49)));
    }
    assert_eq!(
        rates[0], 0.0,
        "version cache: every store invalidates every site"
    );
    assert!(
        rates[1] > 0.97,
        "slot cache: only the first load of each site misses ({})",
        rates[1]
    );
}

#[test]
fn workload_loops_run_in_every_mode() {
    use workloads::LoadBody::*;
    for body in [
        Empty,
        LoadConst,
        LoadFast,
        LoadGlobalModule,
        LoadGlobalBuiltin,
    ] {
        let source = workloads::load_loop(body, 5, 20);
        for mode in CacheMode::ALL {
            let mut vm = Vm::new(mode);
            workloads::define_workload_globals(&mut vm);
            let mut code = assemble(&source).unwrap();
            assert_eq!(vm.run(&mut code), Ok(Value::None), "{body:?} in {mode:?}");
        }
    }
}

// ---- assembler errors ----------------------------------------------------------------------

fn asm_error(source: &str) -> (usize, usize, String) {
    let e = assemble(source).expect_err("should not assemble");
    (e.line, e.column, e.message)
}

#[test]
fn unknown_opcodes_name_the_expected_ones() {
    let (line, column, message) = asm_error("LOAD_CONST 1\n   LOAD_FOO x\nRETURN_VALUE");
    assert_eq!((line, column), (2, 4));
    assert!(message.contains("unknown opcode `LOAD_FOO`"), "{message}");
    assert!(message.contains("LOAD_GLOBAL"), "{message}");
}

#[test]
fn missing_and_wrong_arguments_say_what_was_expected() {
    let (line, column, message) = asm_error("LOAD_CONST\nRETURN_VALUE");
    assert_eq!((line, column), (1, 11));
    assert!(message.contains("expects a constant"), "{message}");

    let (_, column, message) = asm_error("LOAD_GLOBAL 12\nRETURN_VALUE");
    assert_eq!(column, 13);
    assert!(
        message.contains("expects a global name, found the number 12"),
        "{message}"
    );

    let (_, column, message) = asm_error("LOAD_CONST 1\nRETURN_VALUE 3");
    assert_eq!(column, 14);
    assert!(message.contains("takes no argument"), "{message}");

    let (_, _, message) = asm_error("LOAD_CONST 99999999999999999999\nRETURN_VALUE");
    assert!(message.contains("does not fit in 64 bits"), "{message}");

    let (_, column, message) = asm_error("LOAD_CONST 1 2\nRETURN_VALUE");
    assert_eq!(column, 14);
    assert!(
        message.contains("expected the end of the line"),
        "{message}"
    );

    let (_, _, message) = asm_error("LOAD_CONST \"abc\nRETURN_VALUE");
    assert!(message.contains("unterminated string"), "{message}");

    let (_, _, message) = asm_error("CALL x\nRETURN_VALUE");
    assert!(
        message.contains("CALL expects an argument count"),
        "{message}"
    );
}

#[test]
fn labels_must_exist_and_be_unique() {
    let (line, column, message) =
        asm_error("top:\n  LOAD_CONST 1\n  POP_JUMP_IF_FALSE nowhere\n  JUMP top");
    assert_eq!((line, column), (3, 21));
    assert!(message.contains("undefined label `nowhere`"), "{message}");

    let (line, _, message) = asm_error("a:\nLOAD_CONST 1\na: RETURN_VALUE");
    assert_eq!(line, 3);
    assert!(
        message.contains("duplicate label `a` (first defined on line 1)"),
        "{message}"
    );
}

#[test]
fn the_stack_check_rejects_underflow_mismatch_and_falling_off_the_end() {
    let (line, _, message) = asm_error("LOAD_CONST 1\nBINARY_ADD\nRETURN_VALUE");
    assert_eq!(line, 2);
    assert!(
        message.contains("BINARY_ADD needs 2 values on the stack, but only 1"),
        "{message}"
    );

    let (_, _, message) = asm_error("LOAD_CONST 1\nPOP_TOP");
    assert!(message.contains("past the last instruction"), "{message}");

    // A loop that pushes one value per iteration: depth differs at the loop head.
    let (line, _, message) = asm_error("top:\n  LOAD_CONST 1\n  JUMP top");
    assert_eq!(line, 2);
    assert!(message.contains("on one path"), "{message}");

    let (line, column, message) = asm_error("# nothing but a comment\n");
    assert_eq!((line, column), (1, 1));
    assert!(message.contains("no instructions"), "{message}");
}

#[test]
fn comments_labels_and_strings_parse() {
    let source = r#"
        # a comment line
        start: LOAD_CONST "a # not a comment \"quoted\""   # a real comment
               LOAD_GLOBAL len
               CALL 0                                       # wrong arity: a runtime error
               RETURN_VALUE
    "#;
    let code = assemble(source).unwrap();
    assert_eq!(
        code.consts(),
        &[Value::Str("a # not a comment \"quoted\"".into())]
    );
    assert_eq!(code.ops()[1], Op::LoadGlobal(0));
    assert_eq!(code.line_of(1), Some(4));
}

// ---- specialisation ------------------------------------------------------------------------

#[test]
fn the_slot_cached_vm_specialises_each_load_by_where_it_found_the_name() {
    let source = "LOAD_GLOBAL len\nLOAD_GLOBAL x\nPOP_TOP\nRETURN_VALUE";
    let mut code = assemble(source).unwrap();
    let mut vm = Vm::new(CacheMode::Slot);
    vm.globals_mut().insert("x".into(), Value::Int(1));
    let builtin_len = vm.run(&mut code).unwrap();
    assert!(matches!(builtin_len, Value::Builtin(_)), "{builtin_len:?}");
    // The builtin's load and the module global's are specialised, each to its own form.
    assert_eq!(code.ops()[0], Op::LoadGlobalBuiltin(0));
    assert_eq!(code.ops()[1], Op::LoadGlobalModule(1));
    assert_eq!(vm.run(&mut code).unwrap(), builtin_len); // hits of the specialised forms
    assert_eq!(code.ops()[0], Op::LoadGlobalBuiltin(0));
    assert_eq!(code.ops()[1], Op::LoadGlobalModule(1));
    assert_eq!(
        code.cache_stats().unwrap().misses,
        2,
        "the second run missed nowhere"
    );

    // A global of the same name shadows the builtin, and goes again, twice over: each time
    // the load misses, finds the name where it now is, and takes that form. (Each form is
    // run twice, so that every fill is used: a site whose fills go unused backs off, holds
    // nothing, and stays a plain LOAD_GLOBAL while it does.)
    for shadow in [7, 8] {
        vm.globals_mut().insert("len".into(), Value::Int(shadow));
        for _ in 0..2 {
            assert_eq!(vm.run(&mut code).unwrap(), Value::Int(shadow));
            assert_eq!(code.ops()[0], Op::LoadGlobalModule(0));
        }
        vm.globals_mut().shift_remove("len");
        for _ in 0..2 {
            assert_eq!(vm.run(&mut code).unwrap(), builtin_len);
            assert_eq!(code.ops()[0], Op::LoadGlobalBuiltin(0));
        }
    }

    // The other modes run the specialised forms as LOAD_GLOBAL, and rewrite nothing.
    for mode in [CacheMode::None, CacheMode::Version] {
        let mut vm = Vm::new(mode);
        vm.globals_mut().insert("x".into(), Value::Int(1));
        assert_eq!(vm.run(&mut code).unwrap(), builtin_len, "{mode:?}");
        vm.globals_mut().insert("len".into(), Value::Int(7));
        assert_eq!(vm.run(&mut code).unwrap(), Value::Int(7), "{mode:?}");
        assert_eq!(code.ops()[0], Op::LoadGlobalBuiltin(0));
        assert_eq!(code.ops()[1], Op::LoadGlobalModule(1));
    }
}

#[test]
fn the_version_cached_vm_rewrites_a_load_whose_site_backs_off_and_back_again() {
    // For i in 0..iterations: while i < 100, rebind `counter` to i; then load `counter`.
    // While the rebinding goes on every fill of the load's site is wasted, so the site backs
    // off and the VM marks the load LOAD_GLOBAL_BACKING_OFF; once it stops, the site's skips
    // run out, the load is LOAD_GLOBAL again, fills, and hits from then on.
    let program = |iterations: i64| {
        format!(
            "        LOAD_CONST 0
        STORE_FAST i
    loop:
        LOAD_FAST i
        LOAD_CONST {iterations}
        COMPARE_LT
        POP_JUMP_IF_FALSE done
        LOAD_FAST i
        LOAD_CONST 100
        COMPARE_LT
        POP_JUMP_IF_FALSE load
        LOAD_FAST i
        STORE_GLOBAL counter
    load:
        LOAD_GLOBAL counter
        STORE_FAST last
        LOAD_FAST i
        LOAD_CONST 1
        BINARY_ADD
        STORE_FAST i
        JUMP loop
    done:
        LOAD_FAST last
        RETURN_VALUE"
        )
    };
    let load_at = |code: &Code| {
        code.ops()
            .iter()
            .position(|op| op.as_written() == Op::LoadGlobal(0))
            .expect("the program loads `counter`")
    };
    // Through the rebinding only: the load ends backing off.
    let mut code = assemble(&program(100)).unwrap();
    let mut vm = Vm::new(CacheMode::Version).with_cache_hits_counted();
    assert_eq!(vm.run(&mut code).unwrap(), Value::Int(99));
    assert_eq!(code.ops()[load_at(&code)], Op::LoadGlobalBackingOff(0));
    let stats = code.cache_stats().unwrap();
    assert!(stats.skipped_fills > 80, "{stats:?}");

    // On past it: back to LOAD_GLOBAL, which hits (the last fill's period of skips is at
    // most 127 loads after 100 wasted fills: fills at 1, 2, 4, ..., 64).
    let mut code = assemble(&program(400)).unwrap();
    let mut vm = Vm::new(CacheMode::Version).with_cache_hits_counted();
    assert_eq!(vm.run(&mut code).unwrap(), Value::Int(99));
    assert_eq!(code.ops()[load_at(&code)], Op::LoadGlobal(0));
    let stats = code.cache_stats().unwrap();
    assert!(stats.hits.unwrap() > 100, "{stats:?}");

    // Another mode runs the backing-off form as LOAD_GLOBAL, and rewrites nothing; an error
    // in it names the instruction as written.
    let mut backing_off = assemble(&program(100)).unwrap();
    Vm::new(CacheMode::Version).run(&mut backing_off).unwrap();
    let at = load_at(&backing_off);
    for mode in [CacheMode::None, CacheMode::Slot] {
        let mut vm = Vm::new(mode);
        assert_eq!(
            vm.run(&mut backing_off).unwrap(),
            Value::Int(99),
            "{mode:?}"
        );
        assert!(
            matches!(
                backing_off.ops()[at],
                Op::LoadGlobalBackingOff(_) | Op::LoadGlobalModule(_)
            ),
            "{mode:?}: {:?}",
            backing_off.ops()[at]
        );
    }
    let mut code = Code::from_parts(
        vec![Op::LoadGlobalBackingOff(0), Op::ReturnValue],
        vec![],
        vec!["nowhere".into()],
        vec![],
    )
    .unwrap();
    for mode in CacheMode::ALL {
        let error = Vm::new(mode).run(&mut code).unwrap_err();
        assert_eq!(error.opcode, "LOAD_GLOBAL", "{mode:?}");
        assert_eq!(
            error.kind,
            ErrorKind::NameError("nowhere".into()),
            "{mode:?}"
        );
    }
}

#[test]
fn a_module_load_specialised_in_one_vm_answers_rightly_in_another() {
    // A code object run by two VMs whose namespaces differ: the sites are remade for the
    // second VM's mode only if the mode differs, so a LOAD_GLOBAL_MODULE written by the first
    // meets the second VM's dicts with the first VM's versions in its site. It must miss
    // (no dict shares another's keys version), find the builtin, and respecialise.
    let mut code = assemble("LOAD_GLOBAL len\nRETURN_VALUE").unwrap();
    let mut first = Vm::new(CacheMode::Slot);
    first.globals_mut().insert("len".into(), Value::Int(3));
    assert_eq!(first.run(&mut code).unwrap(), Value::Int(3));
    assert_eq!(code.ops()[0], Op::LoadGlobalModule(0));
    let mut second = Vm::new(CacheMode::Slot);
    let builtin_len = second.run(&mut code).unwrap();
    assert!(matches!(builtin_len, Value::Builtin(_)), "{builtin_len:?}");
    assert_eq!(code.ops()[0], Op::LoadGlobalBuiltin(0));
}

#[test]
fn an_error_in_a_specialised_load_names_the_instruction_as_written() {
    let mut code = assemble("LOAD_GLOBAL len\nRETURN_VALUE").unwrap();
    let mut vm = Vm::new(CacheMode::Slot);
    vm.run(&mut code).unwrap();
    assert_eq!(code.ops()[0].name(), "LOAD_GLOBAL_BUILTIN");
    vm.builtins_mut().shift_remove("len");
    let error = vm.run(&mut code).unwrap_err();
    assert_eq!(error.opcode, "LOAD_GLOBAL");
    assert_eq!(error.kind, ErrorKind::NameError("len".into()));

    let mut code = assemble("LOAD_GLOBAL x\nRETURN_VALUE").unwrap();
    vm.globals_mut().insert("x".into(), Value::Int(1));
    vm.run(&mut code).unwrap();
    assert_eq!(code.ops()[0].name(), "LOAD_GLOBAL_MODULE");
    vm.globals_mut().shift_remove("x");
    let error = vm.run(&mut code).unwrap_err();
    assert_eq!(error.opcode, "LOAD_GLOBAL");
    assert_eq!(error.kind, ErrorKind::NameError("x".into()));
}

// ---- runtime errors ------------------------------------------------------------------------

fn run_error(source: &str) -> vdict::vm::VmError {
    let mut code = assemble(source).unwrap_or_else(|e| panic!("{e}"));
    Vm::new(CacheMode::Slot)
        .run(&mut code)
        .expect_err("should fail at run time")
}

#[test]
fn a_missing_global_is_a_name_error_at_its_offset() {
    let e = run_error("LOAD_CONST 1\nPOP_TOP\nLOAD_GLOBAL nope\nRETURN_VALUE");
    assert_eq!((e.offset, e.line, e.opcode), (2, 3, "LOAD_GLOBAL"));
    assert_eq!(e.kind, ErrorKind::NameError("nope".into()));
    assert_eq!(
        e.to_string(),
        "line 3, offset 2 (LOAD_GLOBAL): NameError: name 'nope' is not defined"
    );
    let e = run_error("DELETE_GLOBAL nope\nLOAD_CONST None\nRETURN_VALUE");
    assert_eq!(e.kind, ErrorKind::NameError("nope".into()));
}

#[test]
fn adding_an_int_to_a_function_is_a_type_error() {
    let e = run_error("LOAD_CONST 1\nLOAD_GLOBAL len\nBINARY_ADD\nRETURN_VALUE");
    assert_eq!(e.offset, 2);
    assert_eq!(
        e.kind,
        ErrorKind::TypeError(
            "unsupported operand type(s) for +: 'int' and 'builtin_function_or_method'".into()
        )
    );
    let e = run_error("LOAD_CONST 1\nCALL 0\nRETURN_VALUE");
    assert_eq!(
        e.kind,
        ErrorKind::TypeError("'int' object is not callable".into())
    );
    let e = run_error("LOAD_GLOBAL len\nLOAD_CONST 5\nCALL 1\nRETURN_VALUE");
    assert_eq!(
        e.kind,
        ErrorKind::TypeError("object of type 'int' has no len()".into())
    );
}

#[test]
fn reading_an_unset_local_and_overflowing_are_errors() {
    let e = run_error("LOAD_FAST x\nRETURN_VALUE");
    assert_eq!(e.kind, ErrorKind::UnboundLocalError("x".into()));
    let e = run_error(&format!(
        "LOAD_CONST {}\nLOAD_CONST 1\nBINARY_ADD\nRETURN_VALUE",
        i64::MAX
    ));
    assert!(matches!(e.kind, ErrorKind::OverflowError(_)));
}

#[test]
fn stack_underflow_in_hand_built_code_is_an_error_not_a_panic() {
    let mut code = Code::from_parts(
        vec![Op::LoadConst(0), Op::BinaryAdd, Op::ReturnValue],
        vec![Value::Int(1)],
        vec![],
        vec![],
    )
    .unwrap();
    let e = Vm::new(CacheMode::Version).run(&mut code).unwrap_err();
    assert_eq!((e.offset, e.kind), (1, ErrorKind::StackUnderflow));
    let mut code =
        Code::from_parts(vec![Op::LoadConst(0)], vec![Value::Int(1)], vec![], vec![]).unwrap();
    assert_eq!(
        Vm::new(CacheMode::None).run(&mut code).unwrap_err().kind,
        ErrorKind::FellOffTheEnd
    );
    let bad = Code::from_parts(vec![Op::Jump(7)], vec![], vec![], vec![]).unwrap_err();
    assert!(
        bad.contains("instruction 0 (JUMP) refers to entry 7 of the instructions, which has 1"),
        "{bad}"
    );
}

#[test]
fn the_jump_limit_stops_an_endless_loop() {
    let mut code = assemble("top:\n  JUMP top").unwrap();
    let e = Vm::new(CacheMode::Slot)
        .with_jump_limit(1000)
        .run(&mut code)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::JumpLimitExceeded(1000));
}

#[test]
fn the_string_limit_stops_a_doubling_string() {
    // s = "ab"; while True: s = s + s   -- 2^jumps bytes without a limit.
    let source = "
        LOAD_CONST \"ab\"
        STORE_FAST s
    top:
        LOAD_FAST s
        LOAD_FAST s
        BINARY_ADD
        STORE_FAST s
        JUMP top
    ";
    let mut code = assemble(source).unwrap();
    let e = Vm::new(CacheMode::Slot)
        .with_string_limit(1 << 20)
        .run(&mut code)
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::MemoryError(_)), "{e}");
    assert_eq!(e.opcode, "BINARY_ADD");
    // Just under the limit still works: 2^19 + 2^19 bytes is exactly the limit.
    let mut code = assemble(source).unwrap();
    let e = Vm::new(CacheMode::Slot)
        .with_string_limit(1 << 20)
        .with_jump_limit(18)
        .run(&mut code)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::JumpLimitExceeded(18));
}
