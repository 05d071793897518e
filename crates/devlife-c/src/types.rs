//! C types, interned in a [`TypeTable`], and struct/union layouts (LP64).

use rustc_hash::FxHashMap;

/// An interned C type. Equal ids mean identical types.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TypeId(pub u32);

impl TypeId {
    /// `void`.
    pub const VOID: TypeId = TypeId(0);
    /// `_Bool` / `bool`.
    pub const BOOL: TypeId = TypeId(1);
    /// `char` (signed, as on x86-64) and `signed char`.
    pub const CHAR: TypeId = TypeId(2);
    /// `unsigned char`.
    pub const UCHAR: TypeId = TypeId(3);
    /// `short`.
    pub const SHORT: TypeId = TypeId(4);
    /// `unsigned short`.
    pub const USHORT: TypeId = TypeId(5);
    /// `int`.
    pub const INT: TypeId = TypeId(6);
    /// `unsigned int`.
    pub const UINT: TypeId = TypeId(7);
    /// `long` and `long long`.
    pub const LONG: TypeId = TypeId(8);
    /// `unsigned long` and `unsigned long long`.
    pub const ULONG: TypeId = TypeId(9);
    /// `void *`.
    pub const VOID_PTR: TypeId = TypeId(10);
    /// `char *`.
    pub const CHAR_PTR: TypeId = TypeId(11);
}

/// An integer representation: width in bytes and signedness.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct IntTy {
    /// Width in bytes: 1, 2, 4 or 8.
    pub size: u8,
    /// Whether the type is signed.
    pub signed: bool,
}

impl IntTy {
    /// `int`.
    pub const INT: IntTy = IntTy {
        size: 4,
        signed: true,
    };
    /// `long`.
    pub const LONG: IntTy = IntTy {
        size: 8,
        signed: true,
    };
    /// `unsigned long` (also used for pointers).
    pub const ULONG: IntTy = IntTy {
        size: 8,
        signed: false,
    };

    /// Truncates `bits` to this width and sign- or zero-extends back to 64 bits.
    #[inline]
    pub fn norm(self, bits: u64) -> u64 {
        match (self.size, self.signed) {
            (1, true) => bits as u8 as i8 as i64 as u64,
            (1, false) => bits as u8 as u64,
            (2, true) => bits as u16 as i16 as i64 as u64,
            (2, false) => bits as u16 as u64,
            (4, true) => bits as u32 as i32 as i64 as u64,
            (4, false) => bits as u32 as u64,
            _ => bits,
        }
    }
}

/// A function signature.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct FuncSig {
    /// Return type.
    pub ret: TypeId,
    /// Declared parameter types (after array/function adjustment).
    pub params: Vec<TypeId>,
    /// Whether the function takes `...` (or was declared with `()`).
    pub variadic: bool,
}

/// Index of a struct or union definition in a [`TypeTable`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct StructId(pub u32);

/// The shape of a type.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum TypeKind {
    /// `void`.
    Void,
    /// `_Bool`.
    Bool,
    /// An integer type (enums are represented by their underlying integer).
    Int(IntTy),
    /// A pointer to the given type.
    Ptr(TypeId),
    /// An array; `len` is `None` for `[]` (incomplete / flexible).
    Array {
        /// Element type.
        elem: TypeId,
        /// Number of elements, if known.
        len: Option<u64>,
    },
    /// A struct or union.
    Struct(StructId),
    /// A function type.
    Func(FuncSig),
}

/// A member of a struct or union.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// Name, or `None` for an anonymous struct/union member.
    pub name: Option<String>,
    /// Member type.
    pub ty: TypeId,
    /// Byte offset from the start of the enclosing struct.
    pub offset: u64,
}

/// A struct or union definition and its layout.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StructDef {
    /// Tag, if any.
    pub name: Option<String>,
    /// Whether this is a union.
    pub is_union: bool,
    /// Members in declaration order.
    pub fields: Vec<Field>,
    /// Size in bytes (valid when `complete`).
    pub size: u64,
    /// Alignment in bytes (valid when `complete`).
    pub align: u64,
    /// Whether the definition (member list) has been seen.
    pub complete: bool,
}

/// Interning table of all types of a program.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TypeTable {
    kinds: Vec<TypeKind>,
    #[serde(serialize_with = "crate::sorted::map")]
    intern: FxHashMap<TypeKind, TypeId>,
    structs: Vec<StructDef>,
}

impl Default for TypeTable {
    fn default() -> Self {
        Self::new()
    }
}

fn int(size: u8, signed: bool) -> TypeKind {
    TypeKind::Int(IntTy { size, signed })
}

impl TypeTable {
    /// A table holding the predefined types (see the [`TypeId`] constants).
    pub fn new() -> TypeTable {
        let mut t = TypeTable {
            kinds: Vec::new(),
            intern: FxHashMap::default(),
            structs: Vec::new(),
        };
        let base = [
            TypeKind::Void,
            TypeKind::Bool,
            int(1, true),
            int(1, false),
            int(2, true),
            int(2, false),
            int(4, true),
            int(4, false),
            int(8, true),
            int(8, false),
            TypeKind::Ptr(TypeId::VOID),
            TypeKind::Ptr(TypeId::CHAR),
        ];
        for k in base {
            t.intern(k);
        }
        t
    }

    /// Interns a type shape.
    pub fn intern(&mut self, kind: TypeKind) -> TypeId {
        if let Some(&id) = self.intern.get(&kind) {
            return id;
        }
        let id = TypeId(u32::try_from(self.kinds.len()).unwrap_or(u32::MAX));
        self.kinds.push(kind.clone());
        self.intern.insert(kind, id);
        id
    }

    /// The shape of a type.
    pub fn kind(&self, id: TypeId) -> &TypeKind {
        self.kinds.get(id.0 as usize).unwrap_or(&TypeKind::Void)
    }

    /// Pointer to `to`.
    pub fn ptr(&mut self, to: TypeId) -> TypeId {
        self.intern(TypeKind::Ptr(to))
    }

    /// Array of `elem`.
    pub fn array(&mut self, elem: TypeId, len: Option<u64>) -> TypeId {
        self.intern(TypeKind::Array { elem, len })
    }

    /// The integer type with this representation.
    pub fn int_type(&mut self, it: IntTy) -> TypeId {
        self.intern(TypeKind::Int(it))
    }

    /// Creates a new (incomplete) struct or union.
    pub fn new_struct(&mut self, name: Option<&str>, is_union: bool) -> (StructId, TypeId) {
        let sid = StructId(u32::try_from(self.structs.len()).unwrap_or(u32::MAX));
        self.structs.push(StructDef {
            name: name.map(str::to_string),
            is_union,
            fields: Vec::new(),
            size: 0,
            align: 1,
            complete: false,
        });
        (sid, self.intern(TypeKind::Struct(sid)))
    }

    /// A struct definition.
    pub fn struct_def(&self, id: StructId) -> Option<&StructDef> {
        self.structs.get(id.0 as usize)
    }

    /// All struct definitions, indexed by [`StructId`].
    pub fn structs(&self) -> &[StructDef] {
        &self.structs
    }

    /// Lays out and completes a struct from its members (name, type), which
    /// must all have complete types except possibly a trailing flexible array.
    pub fn complete_struct(&mut self, id: StructId, members: Vec<(Option<String>, TypeId)>) {
        let is_union = self.struct_def(id).is_some_and(|d| d.is_union);
        let mut off = 0u64;
        let mut size = 0u64;
        let mut align = 1u64;
        let mut fields = Vec::with_capacity(members.len());
        for (name, ty) in members {
            let a = self.align_of(ty).max(1);
            let s = self.size_of(ty).unwrap_or(0);
            align = align.max(a);
            let offset = if is_union { 0 } else { round_up(off, a) };
            off = offset.saturating_add(s);
            size = size.max(off);
            fields.push(Field { name, ty, offset });
        }
        if let Some(d) = self.structs.get_mut(id.0 as usize) {
            d.fields = fields;
            d.size = round_up(size, align);
            d.align = align;
            d.complete = true;
        }
    }

    /// Size in bytes, or `None` for incomplete types, `void` and functions.
    pub fn size_of(&self, id: TypeId) -> Option<u64> {
        match self.kind(id) {
            TypeKind::Void | TypeKind::Func(_) => None,
            TypeKind::Bool => Some(1),
            TypeKind::Int(it) => Some(u64::from(it.size)),
            TypeKind::Ptr(_) => Some(8),
            TypeKind::Array { elem, len } => self.size_of(*elem)?.checked_mul((*len)?),
            TypeKind::Struct(s) => {
                let d = self.struct_def(*s)?;
                d.complete.then_some(d.size)
            }
        }
    }

    /// Alignment in bytes (1 for incomplete types).
    pub fn align_of(&self, id: TypeId) -> u64 {
        match self.kind(id) {
            TypeKind::Void | TypeKind::Func(_) | TypeKind::Bool => 1,
            TypeKind::Int(it) => u64::from(it.size),
            TypeKind::Ptr(_) => 8,
            TypeKind::Array { elem, .. } => self.align_of(*elem),
            TypeKind::Struct(s) => self.struct_def(*s).map_or(1, |d| d.align),
        }
    }

    /// The integer representation of an integer, bool or pointer type.
    pub fn int_ty(&self, id: TypeId) -> Option<IntTy> {
        match self.kind(id) {
            TypeKind::Bool => Some(IntTy {
                size: 1,
                signed: false,
            }),
            TypeKind::Int(it) => Some(*it),
            TypeKind::Ptr(_) => Some(IntTy::ULONG),
            _ => None,
        }
    }

    /// Whether the type is an integer (including `_Bool` and enums).
    pub fn is_integer(&self, id: TypeId) -> bool {
        matches!(self.kind(id), TypeKind::Int(_) | TypeKind::Bool)
    }

    /// Whether the type is a pointer.
    pub fn is_pointer(&self, id: TypeId) -> bool {
        matches!(self.kind(id), TypeKind::Ptr(_))
    }

    /// Whether the type is scalar (integer or pointer).
    pub fn is_scalar(&self, id: TypeId) -> bool {
        self.is_integer(id) || self.is_pointer(id)
    }

    /// Whether the type is a struct or array (stored in memory, copied bytewise).
    pub fn is_aggregate(&self, id: TypeId) -> bool {
        matches!(self.kind(id), TypeKind::Struct(_) | TypeKind::Array { .. })
    }

    /// The pointee of a pointer type.
    pub fn pointee(&self, id: TypeId) -> Option<TypeId> {
        match self.kind(id) {
            TypeKind::Ptr(t) => Some(*t),
            _ => None,
        }
    }

    /// The signature of a function type or a pointer to one.
    pub fn func_sig(&self, id: TypeId) -> Option<&FuncSig> {
        match self.kind(id) {
            TypeKind::Func(sig) => Some(sig),
            TypeKind::Ptr(t) => match self.kind(*t) {
                TypeKind::Func(sig) => Some(sig),
                _ => None,
            },
            _ => None,
        }
    }

    /// Finds a member by name, searching anonymous members; returns the
    /// offset from the start of the struct and the member type.
    pub fn find_member(&self, sid: StructId, name: &str) -> Option<(u64, TypeId)> {
        let def = self.struct_def(sid)?;
        for f in &def.fields {
            match &f.name {
                Some(n) if n == name => return Some((f.offset, f.ty)),
                None => {
                    if let TypeKind::Struct(inner) = self.kind(f.ty) {
                        if let Some((o, t)) = self.find_member(*inner, name) {
                            return Some((f.offset + o, t));
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Resolves a member path such as `driver.name` or `arr[2].x` starting at
    /// type `ty`; returns the offset and the type of the designated member.
    pub fn member_path(&self, ty: TypeId, path: &str) -> Option<(u64, TypeId)> {
        let mut off = 0u64;
        let mut cur = ty;
        for part in path.split('.') {
            let (name, indices) = split_indices(part)?;
            if !name.is_empty() {
                let TypeKind::Struct(sid) = self.kind(cur) else {
                    return None;
                };
                let (o, t) = self.find_member(*sid, name)?;
                off = off.checked_add(o)?;
                cur = t;
            }
            for i in indices {
                let TypeKind::Array { elem, .. } = self.kind(cur) else {
                    return None;
                };
                off = off.checked_add(self.size_of(*elem)?.checked_mul(i)?)?;
                cur = *elem;
            }
        }
        Some((off, cur))
    }

    /// A human-readable C spelling of a type.
    pub fn name(&self, id: TypeId) -> String {
        match self.kind(id) {
            TypeKind::Void => "void".into(),
            TypeKind::Bool => "_Bool".into(),
            TypeKind::Int(it) => int_name(*it).into(),
            TypeKind::Ptr(t) => match self.kind(*t) {
                TypeKind::Func(sig) => {
                    format!("{} (*)({})", self.name(sig.ret), self.params_name(sig))
                }
                _ => format!("{} *", self.name(*t)),
            },
            TypeKind::Array { elem, len } => match len {
                Some(n) => format!("{}[{n}]", self.name(*elem)),
                None => format!("{}[]", self.name(*elem)),
            },
            TypeKind::Struct(s) => {
                let d = self.struct_def(*s);
                let kw = if d.is_some_and(|d| d.is_union) {
                    "union"
                } else {
                    "struct"
                };
                match d.and_then(|d| d.name.as_deref()) {
                    Some(n) => format!("{kw} {n}"),
                    None => format!("{kw} <anonymous>"),
                }
            }
            TypeKind::Func(sig) => format!("{} ({})", self.name(sig.ret), self.params_name(sig)),
        }
    }

    fn params_name(&self, sig: &FuncSig) -> String {
        let mut v: Vec<String> = sig.params.iter().map(|p| self.name(*p)).collect();
        if sig.variadic {
            v.push("...".into());
        }
        v.join(", ")
    }
}

fn int_name(it: IntTy) -> &'static str {
    match (it.size, it.signed) {
        (1, true) => "char",
        (1, false) => "unsigned char",
        (2, true) => "short",
        (2, false) => "unsigned short",
        (4, true) => "int",
        (4, false) => "unsigned int",
        (_, true) => "long",
        (_, false) => "unsigned long",
    }
}

fn split_indices(part: &str) -> Option<(&str, Vec<u64>)> {
    let mut it = part.split('[');
    let name = it.next()?.trim();
    let mut idx = Vec::new();
    for rest in it {
        let n = rest.strip_suffix(']')?.trim();
        idx.push(n.parse().ok()?);
    }
    Some((name, idx))
}

/// Rounds `v` up to a multiple of `a` (saturating).
pub fn round_up(v: u64, a: u64) -> u64 {
    if a <= 1 {
        return v;
    }
    v.div_ceil(a).saturating_mul(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_truncates_and_extends() {
        let i8t = IntTy {
            size: 1,
            signed: true,
        };
        assert_eq!(i8t.norm(0xff), u64::MAX);
        assert_eq!(IntTy::INT.norm(0x1_0000_0001), 1);
        let u32t = IntTy {
            size: 4,
            signed: false,
        };
        assert_eq!(u32t.norm(u64::MAX), 0xffff_ffff);
    }

    #[test]
    fn struct_layout_and_paths() {
        let mut t = TypeTable::new();
        let (inner, inner_ty) = t.new_struct(Some("inner"), false);
        t.complete_struct(
            inner,
            vec![
                (Some("c".into()), TypeId::CHAR),
                (Some("name".into()), TypeId::CHAR_PTR),
            ],
        );
        let (u, u_ty) = t.new_struct(None, true);
        t.complete_struct(
            u,
            vec![
                (Some("x".into()), TypeId::INT),
                (Some("y".into()), TypeId::LONG),
            ],
        );
        let arr = t.array(TypeId::SHORT, Some(3));
        let (outer, outer_ty) = t.new_struct(Some("outer"), false);
        t.complete_struct(
            outer,
            vec![
                (Some("a".into()), TypeId::CHAR),
                (Some("driver".into()), inner_ty),
                (None, u_ty),
                (Some("s".into()), arr),
            ],
        );
        assert_eq!(t.size_of(inner_ty), Some(16));
        assert_eq!(t.size_of(outer_ty), Some(40));
        assert_eq!(
            t.member_path(outer_ty, "driver.name"),
            Some((16, TypeId::CHAR_PTR))
        );
        assert_eq!(t.member_path(outer_ty, "y"), Some((24, TypeId::LONG)));
        assert_eq!(t.member_path(outer_ty, "s[2]"), Some((36, TypeId::SHORT)));
        assert_eq!(t.member_path(outer_ty, "nope"), None);
        assert_eq!(t.name(outer_ty), "struct outer");
        assert_eq!(t.name(arr), "short[3]");
    }
}
