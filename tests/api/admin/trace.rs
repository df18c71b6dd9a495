//! Trace context: a W3C `traceparent` and KooDrive's `X-Traceid` kept in the journal entry and
//! filterable with `?traceId=`; a malformed value ignored and never echoed.

use super::*;

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

async fn journal(api: &Api, query: &str) -> Vec<Value> {
    let r = api.get(&format!("/__admin/requests{query}"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["requests"].as_array().cloned().unwrap_or_default()
}

fn trace_fields(e: &Value) -> Value {
    json!({"traceId": e["traceId"], "traceparent": e["traceparent"], "xTraceid": e["xTraceid"]})
}

#[tokio::test]
async fn a_traceparent_and_an_x_traceid_are_kept_and_filterable() {
    let api = Api::new().await;
    let xt = "T".repeat(58);
    api.koo_login(&[("traceparent", TP), ("X-Traceid", &xt)])
        .await;
    let other = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    api.koo_login(&[("traceparent", other)]).await;
    api.koo_login(&[]).await;

    let all = journal(&api, "").await;
    assert_eq!(all.len(), 3);
    let want = json!({"traceId": TRACE_ID, "traceparent": TP, "xTraceid": xt});
    assert_eq!(trace_fields(&all[2]), want);
    assert_eq!(
        trace_fields(&all[0]),
        json!({"traceId": null, "traceparent": null, "xTraceid": null})
    );

    let by_w3c = journal(&api, &format!("?traceId={TRACE_ID}")).await;
    assert_eq!(
        by_w3c.iter().map(trace_fields).collect::<Vec<_>>(),
        vec![want.clone()]
    );
    let upper = journal(&api, &format!("?traceId={}", TRACE_ID.to_uppercase())).await;
    assert_eq!(upper.len(), 1);
    let by_koo = journal(&api, &format!("?traceId={xt}")).await;
    assert_eq!(
        by_koo.iter().map(trace_fields).collect::<Vec<_>>(),
        vec![want]
    );
    assert!(journal(&api, "?traceId=0af7651916cd43dd8448eb211c80319d")
        .await
        .is_empty());
}

#[tokio::test]
async fn malformed_trace_context_is_ignored_and_not_echoed() {
    let api = Api::new().await;
    let bad = [
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more",
        "4bf92f3577b34da6a3ce929d0e0e4736",
    ];
    for tp in bad {
        let r = api
            .koo_login(&[("traceparent", tp), ("X-Traceid", "not valid!")])
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header_opt("traceparent"), None);
        assert!(!r.text.contains(tp));
    }
    for e in journal(&api, "").await {
        assert_eq!(
            trace_fields(&e),
            json!({"traceId": null, "traceparent": null, "xTraceid": null})
        );
    }
    assert!(journal(&api, "?traceId=not%20valid!").await.is_empty());
}
