//! JSON Schema pieces for the OpenAPI document that the vendor and admin types use in their
//! `#[schema(schema_with = …)]` attributes: enums with described values, any value, `null`. This module
//! names nothing of the crate, so any module may use it.

use std::collections::BTreeMap;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Object;

/// An integer limited to `codes`, each described in the description and in `x-enumDescriptions`.
pub fn int_codes(intro: &str, codes: impl IntoIterator<Item = (i64, String)>) -> Object {
    let codes: Vec<(i64, String)> = codes.into_iter().collect();
    described_enum(
        Type::Integer,
        intro,
        codes
            .into_iter()
            .map(|(c, d)| (serde_json::Value::from(c), c.to_string(), d)),
    )
}

/// A string limited to `codes`, each described in the description and in `x-enumDescriptions`.
pub fn str_codes<'a>(intro: &str, codes: impl IntoIterator<Item = (&'a str, String)>) -> Object {
    described_enum(
        Type::String,
        intro,
        codes
            .into_iter()
            .map(|(c, d)| (serde_json::Value::from(c), c.to_string(), d)),
    )
}

/// A string limited to `values`.
pub fn str_enum<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> Object {
    let mut v: Vec<&str> = values.into_iter().collect();
    v.dedup();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(v))
        .build()
}

/// Any JSON value.
pub fn any_value() -> Object {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .build()
}

/// JSON `null`.
pub fn null() -> Object {
    ObjectBuilder::new().schema_type(Type::Null).build()
}

fn described_enum(
    ty: Type,
    intro: &str,
    codes: impl Iterator<Item = (serde_json::Value, String, String)>,
) -> Object {
    let mut values = Vec::new();
    let mut text = String::from(intro);
    let mut descriptions = BTreeMap::new();
    for (v, key, d) in codes {
        if values.contains(&v) {
            continue;
        }
        text.push_str(&format!("\n- `{key}`: {d}"));
        descriptions.insert(key, serde_json::Value::String(d));
        values.push(v);
    }
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(text))
        .enum_values(Some(values))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add(
                    "x-enumDescriptions",
                    serde_json::Value::Object(descriptions.into_iter().collect()),
                )
                .build(),
        ))
        .build()
}
