//! The exposition: metric families filled at scrape time, written by `prometheus-client`'s text
//! encoder (OpenMetrics text, which Prometheus reads; `# EOF` ends it).

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// Label pairs of one series.
pub type Labels = Vec<(&'static str, String)>;

#[derive(Debug)]
enum Value {
    Count(u64),
    Gauge(i64),
    Histogram(f64, u64, Vec<(f64, u64)>),
}

#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    kind: MetricType,
    series: Vec<(Labels, Value)>,
}

/// Metric families as they stand at one scrape.
#[derive(Debug, Default)]
pub struct Exposition(Vec<Family>);

impl Exposition {
    fn family(&mut self, name: &'static str, help: &'static str, kind: MetricType) -> &mut Family {
        if let Some(i) = self.0.iter().position(|f| f.name == name) {
            return &mut self.0[i];
        }
        self.0.push(Family {
            name,
            help,
            kind,
            series: Vec::new(),
        });
        let last = self.0.len() - 1;
        &mut self.0[last]
    }

    /// A counter series (`name` without `_total`, which the encoder adds).
    pub fn counter(&mut self, name: &'static str, help: &'static str, labels: Labels, v: u64) {
        let f = self.family(name, help, MetricType::Counter);
        f.series.push((labels, Value::Count(v)));
    }

    pub fn gauge(&mut self, name: &'static str, help: &'static str, labels: Labels, v: i64) {
        let f = self.family(name, help, MetricType::Gauge);
        f.series.push((labels, Value::Gauge(v)));
    }

    /// A histogram series: sum in seconds, count, cumulative (bound in seconds, count) buckets.
    pub fn histogram(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels,
        (sum, count, buckets): (f64, u64, Vec<(f64, u64)>),
    ) {
        let f = self.family(name, help, MetricType::Histogram);
        f.series
            .push((labels, Value::Histogram(sum, count, buckets)));
    }

    /// The text exposition.
    pub fn render(self) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(self));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}

fn write(s: &mut MetricEncoder, v: &Value) -> Result<(), std::fmt::Error> {
    match v {
        Value::Count(n) => s.encode_counter::<NoLabelSet, _, u64>(n, None),
        Value::Gauge(n) => s.encode_gauge(n),
        Value::Histogram(sum, count, b) => s.encode_histogram::<NoLabelSet>(*sum, *count, b, None),
    }
}

impl Collector for Exposition {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for f in &self.0 {
            let mut m = encoder.encode_descriptor(f.name, f.help, None, f.kind)?;
            for (labels, v) in &f.series {
                // A series without labels is written bare (`name 1`, not `name{} 1`).
                if labels.is_empty() {
                    write(&mut m, v)?;
                } else {
                    write(&mut m.encode_family(labels)?, v)?;
                }
            }
        }
        Ok(())
    }
}
