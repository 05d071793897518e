//! The lowered, typed AST the interpreter runs: variables are resolved to
//! slots, member accesses to byte offsets, conversions are explicit.

use crate::source::Site;
use crate::types::{IntTy, TypeId};

/// Index of a function in [`crate::Program`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct FuncId(pub u32);

/// Index of a global in [`crate::Program`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct GlobalId(pub u32);

/// A typed expression.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    /// What it does.
    pub kind: ExprKind,
    /// Its C type (for lvalues, the object type).
    pub ty: TypeId,
    /// Where it is in the source.
    pub site: Site,
}

/// A scalar conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CastOp {
    /// Representation unchanged.
    Nop,
    /// Truncate and re-extend to this integer representation.
    Int(IntTy),
    /// Compare with zero.
    Bool,
}

/// Binary integer operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl BinOp {
    /// Whether the operator compares (its result is 0 or 1).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// Unary integer operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `~`
    BitNot,
    /// `!`
    Not,
}

/// The target of a call.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Callee {
    /// A function known at compile time.
    Direct(FuncId),
    /// A function pointer value.
    Indirect(Box<Expr>),
}

/// Expression kinds. Lvalue kinds (`LocalReg`, `LocalMem`, `Global`, `Str`,
/// `Deref`, `Member`) denote places; `Load` reads them.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    /// A constant (bits normalized for the type).
    Const(u64),
    /// A local kept in a register slot (scalar, address never taken).
    LocalReg(u32),
    /// A local in memory; the slot holds its address.
    LocalMem(u32),
    /// A global variable.
    Global(GlobalId),
    /// A string literal (char array).
    Str(u32),
    /// A function designator.
    Func(FuncId),
    /// `*p` (place).
    Deref(Box<Expr>),
    /// Member at a byte offset of a place.
    Member(Box<Expr>, u64),
    /// Read a scalar place.
    Load(Box<Expr>),
    /// Address of a place.
    AddrOf(Box<Expr>),
    /// Scalar conversion to `ty`.
    Cast(CastOp, Box<Expr>),
    /// Unary operator computed in the given representation.
    Unary(UnOp, IntTy, Box<Expr>),
    /// Binary operator on operands already converted to the given representation.
    Binary(BinOp, IntTy, Box<Expr>, Box<Expr>),
    /// Pointer plus signed index times scale.
    PtrAdd(Box<Expr>, Box<Expr>, i64),
    /// Pointer difference divided by scale.
    PtrDiff(Box<Expr>, Box<Expr>, i64),
    /// `&&`
    LogAnd(Box<Expr>, Box<Expr>),
    /// `||`
    LogOr(Box<Expr>, Box<Expr>),
    /// `c ? a : b`
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a, b`
    Comma(Box<Expr>, Box<Expr>),
    /// Scalar store; value is the stored value.
    Assign(Box<Expr>, Box<Expr>),
    /// Aggregate copy of `size` bytes from a place to a place.
    Copy(Box<Expr>, Box<Expr>, u64),
    /// `lhs op= rhs`: load lhs, convert with `to_op`, apply `op` in `ity`
    /// with rhs (already in `ity`), convert back with `back`, store.
    CompoundAssign {
        /// Operator.
        op: BinOp,
        /// Operation representation.
        ity: IntTy,
        /// Conversion of the loaded lhs to the operation type.
        to_op: CastOp,
        /// Conversion of the result to the lhs type.
        back: CastOp,
        /// The place.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `p += n` / `p -= n` on a pointer (rhs is a `long`, already negated for `-=`).
    PtrAddAssign(Box<Expr>, Box<Expr>, i64),
    /// `++`/`--`: add `delta`, normalize with `norm`; value is old (post) or new.
    IncDec {
        /// The place.
        lhs: Box<Expr>,
        /// Amount added (scaled for pointers).
        delta: i64,
        /// Normalization of the new value.
        norm: CastOp,
        /// Whether the old value is the result.
        post: bool,
    },
    /// A call.
    Call(Callee, Vec<Expr>),
    /// GNU statement expression.
    StmtExpr(Box<Block>),
    /// A compound literal: initializes the memory local and yields it as a place.
    CompoundLit(u32, Box<Init>),
}

impl Expr {
    /// Whether the expression designates a place.
    pub fn is_place(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::LocalReg(_)
                | ExprKind::LocalMem(_)
                | ExprKind::Global(_)
                | ExprKind::Str(_)
                | ExprKind::Deref(_)
                | ExprKind::Member(..)
                | ExprKind::CompoundLit(..)
        )
    }
}

/// An initialization step applied to an object at a byte offset.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum InitOp {
    /// Store a scalar (already converted to `ty`).
    Scalar(u64, Expr),
    /// Copy `size` bytes from a place.
    Copy(u64, Expr, u64),
    /// Store bytes (string literal into a char array).
    Bytes(u64, Vec<u8>),
}

/// How an object is initialized.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Init {
    /// A scalar initialized from an expression (converted to the object type).
    Scalar(Expr),
    /// An aggregate: zero-filled, then these steps.
    Aggregate(Vec<InitOp>),
}

/// A statement.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Stmt {
    /// Expression statement.
    Expr(Expr),
    /// Initialization of a local declared here.
    Init(u32, Init, Site),
    /// `if`.
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    /// `while`.
    While(Expr, Box<Stmt>, Site),
    /// `do ... while`.
    DoWhile(Box<Stmt>, Expr, Site),
    /// `for` (init statements live in an enclosing block).
    For(Option<Expr>, Option<Expr>, Box<Stmt>, Site),
    /// A nested block.
    Block(Block),
    /// `switch`: value, (case value, statement index) pairs, default index, body.
    Switch(Expr, Vec<(u64, usize)>, Option<usize>, Block),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return`.
    Return(Option<Expr>, Site),
    /// Empty statement.
    Empty,
}

/// A block: statements, locals scoped to it, optional result (statement expressions).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Block {
    /// Statements.
    pub stmts: Vec<Stmt>,
    /// Locals declared directly in this block (memory ones are allocated on entry).
    pub locals: Vec<u32>,
    /// Value of a statement expression.
    pub result: Option<Expr>,
    /// Site of the closing brace (where scoped locals die).
    pub end: Site,
}

/// A local variable or parameter.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Local {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: TypeId,
    /// Whether it lives in memory (aggregate or address taken).
    pub in_memory: bool,
    /// Size in bytes.
    pub size: u64,
    /// Declaration site.
    pub site: Site,
}

/// A function body.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Body {
    /// Parameter local ids, in order.
    pub params: Vec<u32>,
    /// All locals (parameters first).
    pub locals: Vec<Local>,
    /// The body block.
    pub block: Block,
}

/// A function, defined in C or external.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Function {
    /// Name.
    pub name: String,
    /// Function type.
    pub ty: TypeId,
    /// Site of the declaration or definition.
    pub site: Site,
    /// The body, if defined in C.
    pub body: Option<Body>,
    /// Whether reachable C code uses it (calls it or takes its address):
    /// code in the unit's own files, or library code that code reaches.
    pub used: bool,
    /// Where reachable code first uses it (the unit's own code before the
    /// library's), for diagnostics about a function nothing provides.
    pub first_use: Option<Site>,
    /// Whether it is `static`.
    pub is_static: bool,
}

/// A global (or function-local `static`) variable.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Global {
    /// Name (`func.name` for function-local statics).
    pub name: String,
    /// Type.
    pub ty: TypeId,
    /// Site of the declaration.
    pub site: Site,
    /// Initializer, if any.
    pub init: Option<Init>,
    /// Whether it is `static`.
    pub is_static: bool,
    /// Whether a definition (not only `extern` declarations) was seen.
    pub defined: bool,
    /// Whether the unit's own files declare it or their code reaches it
    /// (a library global nothing reaches is not allocated).
    pub reachable: bool,
}
