//! Checking every field of a body before answering: a 422 names each field that failed, not
//! only the first (`(a, b, c).all_valid()?`).

use crate::error::ApiError;
use registry_domain::ValidationError;

/// A tuple of validation results: all the values, or one 422 naming every failure.
pub trait AllValid {
    /// The tuple of values.
    type Valid;
    /// Every value, or every error.
    fn all_valid(self) -> Result<Self::Valid, ApiError>;
}

macro_rules! all_valid_tuple {
    ($($t:ident $v:ident),+) => {
        impl<$($t),+> AllValid for ($(Result<$t, ValidationError>,)+) {
            type Valid = ($($t,)+);

            fn all_valid(self) -> Result<Self::Valid, ApiError> {
                let ($($v,)+) = self;
                let mut errors = Vec::new();
                $(let $v = $v.map_err(|e| errors.push(e)).ok();)+
                match ($($v,)+) {
                    ($(Some($v),)+) => Ok(($($v,)+)),
                    _ => Err(ApiError::validations(errors)),
                }
            }
        }
    };
}

all_valid_tuple!(A a, B b);
all_valid_tuple!(A a, B b, C c);
all_valid_tuple!(A a, B b, C c, D d);
all_valid_tuple!(A a, B b, C c, D d, E e);
all_valid_tuple!(A a, B b, C c, D d, E e, F f);
all_valid_tuple!(A a, B b, C c, D d, E e, F f, G g);

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(field: &str) -> Result<u8, ValidationError> {
        Err(ValidationError::new(field, "is bad"))
    }

    #[test]
    fn every_failure_is_named_and_values_pass_through() {
        assert_eq!(
            (Ok::<u8, _>(1), Ok::<&str, _>("x")).all_valid().unwrap(),
            (1, "x")
        );
        let err = (bad("name"), Ok::<u8, _>(2), bad("description"))
            .all_valid()
            .unwrap_err();
        let fields: Vec<String> = err.errors.unwrap().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["name", "description"]);
    }
}
