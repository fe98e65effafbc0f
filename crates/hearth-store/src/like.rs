//! LIKE patterns built from what someone typed: `%`, `_` and the escape
//! character itself match only themselves.

use sea_query::LikeExpr;

/// `text` escaped for a LIKE pattern whose escape character is `\`.
pub(crate) fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Matches values containing `text`.
pub(crate) fn contains(text: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape(text))).escape('\\')
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_typed_by_a_person_are_literal() {
        assert_eq!(super::escape(r"50%_off\now"), r"50\%\_off\\now");
    }
}
