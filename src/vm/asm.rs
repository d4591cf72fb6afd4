//! The assembler: text in the shape of `dis` output in, a checked [`Code`] out.
//!
//! One instruction per line, with an optional label before it and a comment after it:
//!
//! ```text
//!     # sum 0..10 into a global
//!         LOAD_CONST 0
//!         STORE_GLOBAL total
//!     loop:                        # a label names the next instruction
//!         LOAD_GLOBAL total
//!         ...
//!         POP_JUMP_IF_FALSE done   # jumps name labels, not offsets
//! ```
//!
//! Arguments are what `dis` shows in parentheses, resolved here to indices: `LOAD_CONST` takes
//! a literal (an integer, a `"string"`, `True`, `False`, `None`); `LOAD_FAST` / `STORE_FAST` a
//! local's name; `LOAD_GLOBAL` / `STORE_GLOBAL` / `DELETE_GLOBAL` a global's name; `JUMP` /
//! `POP_JUMP_IF_FALSE` a label; `CALL` the number of arguments.
//!
//! Assembly happens in three passes: parse each line (errors give line, column and what was
//! expected), resolve labels, then check the stack: every instruction must find the values it
//! pops, every path into an instruction must agree on the stack depth, and control must never
//! run past the last instruction. Code that passes never underflows its stack at run time.

use super::interp::CacheSites;
use super::ops::{check_stack, Code, Op};
use super::value::Value;
use crate::Dict;
use std::fmt;
use std::rc::Rc;

/// Why a text did not assemble, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was wrong, and what was expected.
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for AsmError {}

/// Assembles `source` into a [`Code`], or explains the first error.
///
/// ```
/// let error = vdict::vm::assemble("LOAD_CONST 1\nPOP_TOP\nRETURN_VALUE").unwrap_err();
/// assert_eq!(error.line, 3);
/// assert!(error.message.contains("needs 1 value"), "{}", error.message);
/// ```
pub fn assemble(source: &str) -> Result<Code, AsmError> {
    let mut assembler = Assembler::default();
    for (index, line) in source.lines().enumerate() {
        assembler.parse_line(index + 1, line)?;
    }
    assembler.finish()
}

/// The opcodes, as spelled in the assembly.
const OPCODES: [&str; 14] = [
    "LOAD_CONST",
    "LOAD_FAST",
    "STORE_FAST",
    "LOAD_GLOBAL",
    "STORE_GLOBAL",
    "DELETE_GLOBAL",
    "POP_TOP",
    "BINARY_ADD",
    "BINARY_SUB",
    "COMPARE_LT",
    "JUMP",
    "POP_JUMP_IF_FALSE",
    "CALL",
    "RETURN_VALUE",
];

/// One token of a line, with the column it starts at.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Int(String),
    Str(String),
    Colon,
}

struct Spanned {
    token: Token,
    column: usize,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(word) => format!("`{word}`"),
            Token::Int(digits) => format!("the number {digits}"),
            Token::Str(_) => "a string".to_string(),
            Token::Colon => "`:`".to_string(),
        }
    }
}

/// Splits one line into tokens, stopping at a `#` comment.
fn tokenize(line_number: usize, line: &str) -> Result<Vec<Spanned>, AsmError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    let error = |column: usize, message: String| AsmError {
        line: line_number,
        column,
        message,
    };
    while at < chars.len() {
        let c = chars[at];
        let column = at + 1;
        if c.is_whitespace() {
            at += 1;
        } else if c == '#' {
            break;
        } else if c == ':' {
            tokens.push(Spanned {
                token: Token::Colon,
                column,
            });
            at += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = at;
            while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            tokens.push(Spanned {
                token: Token::Word(chars[start..at].iter().collect()),
                column,
            });
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(at + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = at;
            at += 1;
            while at < chars.len() && chars[at].is_ascii_digit() {
                at += 1;
            }
            tokens.push(Spanned {
                token: Token::Int(chars[start..at].iter().collect()),
                column,
            });
        } else if c == '"' {
            at += 1;
            let mut text = String::new();
            loop {
                match chars.get(at) {
                    None => {
                        return Err(error(
                            column,
                            "unterminated string: expected a closing `\"`".into(),
                        ))
                    }
                    Some('"') => {
                        at += 1;
                        break;
                    }
                    Some('\\') => {
                        let escaped = match chars.get(at + 1) {
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some('\\') => '\\',
                            Some('"') => '"',
                            other => {
                                let shown =
                                    other.map_or("end of line".to_string(), |c| format!("`\\{c}`"));
                                return Err(error(
                                    at + 1,
                                    format!(
                                        "unknown escape {shown}: expected one of \\n \\t \\\\ \\\""
                                    ),
                                ));
                            }
                        };
                        text.push(escaped);
                        at += 2;
                    }
                    Some(&other) => {
                        text.push(other);
                        at += 1;
                    }
                }
            }
            tokens.push(Spanned {
                token: Token::Str(text),
                column,
            });
        } else {
            return Err(error(
                column,
                format!("unexpected character `{c}`: expected a label, an opcode, an argument or a `#` comment"),
            ));
        }
    }
    Ok(tokens)
}

/// A jump whose label is resolved once every label is known.
struct PendingJump {
    op_index: usize,
    label: String,
    line: usize,
    column: usize,
}

#[derive(Default)]
struct Assembler {
    ops: Vec<Op>,
    lines: Vec<u32>,
    /// The column of each instruction's opcode, for the stack check's errors.
    columns: Vec<usize>,
    consts: Vec<Value>,
    names: Vec<Rc<str>>,
    name_index: Dict<Rc<str>, u32>,
    local_names: Vec<Rc<str>>,
    local_index: Dict<Rc<str>, u32>,
    /// Label -> (instruction it names, line it was defined on).
    labels: Dict<String, (usize, usize)>,
    jumps: Vec<PendingJump>,
}

/// Interns `name` in a table, returning its index.
fn intern(table: &mut Vec<Rc<str>>, index: &mut Dict<Rc<str>, u32>, name: &str) -> u32 {
    if let Some(&at) = index.get(name) {
        return at;
    }
    let at = table.len() as u32;
    let name: Rc<str> = name.into();
    table.push(name.clone());
    index.insert(name, at);
    at
}

impl Assembler {
    fn parse_line(&mut self, line_number: usize, line: &str) -> Result<(), AsmError> {
        let tokens = tokenize(line_number, line)?;
        let error = |column: usize, message: String| AsmError {
            line: line_number,
            column,
            message,
        };
        let mut rest = &tokens[..];

        // An optional `label:`.
        if let [Spanned {
            token: Token::Word(label),
            column,
        }, Spanned {
            token: Token::Colon,
            ..
        }, after @ ..] = rest
        {
            if let Some(&(_, first_line)) = self.labels.get(label.as_str()) {
                return Err(error(
                    *column,
                    format!("duplicate label `{label}` (first defined on line {first_line})"),
                ));
            }
            self.labels
                .insert(label.clone(), (self.ops.len(), line_number));
            rest = after;
        }

        // An optional instruction.
        let Some((first, after)) = rest.split_first() else {
            return Ok(());
        };
        let Token::Word(opcode) = &first.token else {
            return Err(error(
                first.column,
                format!(
                    "expected an opcode or a `label:`, found {}",
                    first.token.describe()
                ),
            ));
        };
        if !OPCODES.contains(&opcode.as_str()) {
            return Err(error(
                first.column,
                format!(
                    "unknown opcode `{opcode}`: expected one of {}",
                    OPCODES.join(", ")
                ),
            ));
        }
        let (argument, trailing) = match after.split_first() {
            Some((argument, trailing)) => (Some(argument), trailing),
            None => (None, &[][..]),
        };
        if let Some(extra) = trailing.first() {
            return Err(error(
                extra.column,
                format!("unexpected {} after the argument: expected the end of the line or a `#` comment", extra.token.describe()),
            ));
        }
        // The column just past the opcode, where a missing argument was expected.
        let after_opcode = first.column + opcode.len();
        let op = self.parse_instruction(opcode, argument, after_opcode, line_number)?;
        self.ops.push(op);
        self.lines.push(line_number as u32);
        self.columns.push(first.column);
        Ok(())
    }

    /// Builds the instruction `opcode argument`.
    fn parse_instruction(
        &mut self,
        opcode: &str,
        argument: Option<&Spanned>,
        after_opcode: usize,
        line_number: usize,
    ) -> Result<Op, AsmError> {
        let error = |column: usize, message: String| AsmError {
            line: line_number,
            column,
            message,
        };
        let expect_word = |what: &str| -> Result<String, AsmError> {
            match argument {
                Some(Spanned {
                    token: Token::Word(word),
                    ..
                }) => Ok(word.clone()),
                Some(other) => Err(error(
                    other.column,
                    format!("{opcode} expects {what}, found {}", other.token.describe()),
                )),
                None => Err(error(after_opcode, format!("{opcode} expects {what}"))),
            }
        };
        let op = match opcode {
            "LOAD_CONST" => {
                let what = "a constant: an integer, a \"string\", True, False or None";
                let value = match argument.map(|a| (&a.token, a.column)) {
                    Some((Token::Int(digits), column)) => {
                        Value::Int(digits.parse().map_err(|_| {
                            error(
                                column,
                                format!("the integer {digits} does not fit in 64 bits"),
                            )
                        })?)
                    }
                    Some((Token::Str(text), _)) => Value::Str(text.as_str().into()),
                    Some((Token::Word(word), _)) if word == "True" => Value::Bool(true),
                    Some((Token::Word(word), _)) if word == "False" => Value::Bool(false),
                    Some((Token::Word(word), _)) if word == "None" => Value::None,
                    Some((other, column)) => {
                        return Err(error(
                            column,
                            format!("LOAD_CONST expects {what}, found {}", other.describe()),
                        ))
                    }
                    None => return Err(error(after_opcode, format!("LOAD_CONST expects {what}"))),
                };
                Op::LoadConst(self.constant(value))
            }
            "LOAD_FAST" | "STORE_FAST" => {
                let local = intern(
                    &mut self.local_names,
                    &mut self.local_index,
                    &expect_word("a local variable's name")?,
                );
                if opcode == "LOAD_FAST" {
                    Op::LoadFast(local)
                } else {
                    Op::StoreFast(local)
                }
            }
            "LOAD_GLOBAL" | "STORE_GLOBAL" | "DELETE_GLOBAL" => {
                let name = intern(
                    &mut self.names,
                    &mut self.name_index,
                    &expect_word("a global name")?,
                );
                match opcode {
                    "LOAD_GLOBAL" => Op::LoadGlobal(name),
                    "STORE_GLOBAL" => Op::StoreGlobal(name),
                    _ => Op::DeleteGlobal(name),
                }
            }
            "JUMP" | "POP_JUMP_IF_FALSE" => {
                let label = expect_word("a label")?;
                let column = argument.map_or(after_opcode, |a| a.column);
                self.jumps.push(PendingJump {
                    op_index: self.ops.len(),
                    label,
                    line: line_number,
                    column,
                });
                // The target is filled in by `finish`, once every label is known.
                if opcode == "JUMP" {
                    Op::Jump(u32::MAX)
                } else {
                    Op::PopJumpIfFalse(u32::MAX)
                }
            }
            "CALL" => match argument {
                Some(Spanned {
                    token: Token::Int(digits),
                    column,
                }) => {
                    let argc: u32 = digits.parse().ok().filter(|&n| n <= 255).ok_or_else(|| {
                        error(
                            *column,
                            format!("CALL expects an argument count from 0 to 255, found {digits}"),
                        )
                    })?;
                    Op::Call(argc)
                }
                Some(other) => {
                    return Err(error(
                        other.column,
                        format!(
                            "CALL expects an argument count, found {}",
                            other.token.describe()
                        ),
                    ))
                }
                None => return Err(error(after_opcode, "CALL expects an argument count".into())),
            },
            _ => {
                if let Some(argument) = argument {
                    return Err(error(
                        argument.column,
                        format!(
                            "{opcode} takes no argument, found {}",
                            argument.token.describe()
                        ),
                    ));
                }
                match opcode {
                    "POP_TOP" => Op::PopTop,
                    "BINARY_ADD" => Op::BinaryAdd,
                    "BINARY_SUB" => Op::BinarySub,
                    "COMPARE_LT" => Op::CompareLt,
                    "RETURN_VALUE" => Op::ReturnValue,
                    _ => unreachable!("every opcode in OPCODES is handled"),
                }
            }
        };
        Ok(op)
    }

    /// The index of `value` in the constants, adding it if new.
    fn constant(&mut self, value: Value) -> u32 {
        match self.consts.iter().position(|known| known == &value) {
            Some(at) => at as u32,
            None => {
                self.consts.push(value);
                (self.consts.len() - 1) as u32
            }
        }
    }

    /// Resolves jumps, checks the stack, and builds the code.
    fn finish(mut self) -> Result<Code, AsmError> {
        for jump in &self.jumps {
            let Some(&(target, _)) = self.labels.get(jump.label.as_str()) else {
                return Err(AsmError {
                    line: jump.line,
                    column: jump.column,
                    message: format!(
                        "undefined label `{}`: expected a label defined with `{}:`",
                        jump.label, jump.label
                    ),
                });
            };
            self.ops[jump.op_index] = match self.ops[jump.op_index] {
                Op::Jump(_) => Op::Jump(target as u32),
                _ => Op::PopJumpIfFalse(target as u32),
            };
        }
        if self.ops.is_empty() {
            return Err(AsmError {
                line: 1,
                column: 1,
                message: "the program has no instructions: expected at least a RETURN_VALUE".into(),
            });
        }
        let max_stack_depth = check_stack(&self.ops).map_err(|(index, message)| AsmError {
            line: self.lines[index] as usize,
            column: self.columns[index],
            message,
        })?;
        Ok(Code {
            ops: self.ops,
            lines: self.lines,
            consts: self.consts,
            names: self.names,
            local_names: self.local_names,
            max_stack_depth,
            caches: CacheSites::Cold,
        })
    }
}
