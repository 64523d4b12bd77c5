//! The report's charts, drawn with `plotters` into inline SVG (no script, no external request).
//!
//! Charts are for reading at a glance: their values are `f64` USD, rounded. Every exact figure
//! is in the report's tables beside them.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// One series of a bar chart: a name for the legend, a colour, one value per label.
pub struct Series<'a> {
    /// Legend entry.
    pub name: &'a str,
    /// Bar colour.
    pub color: RGBColor,
    /// One value per category, in USD.
    pub values: Vec<f64>,
}

/// Reserves.
pub const GREEN: RGBColor = RGBColor(46, 139, 87);
/// Liabilities and open interest.
pub const BLUE: RGBColor = RGBColor(49, 99, 170);
/// Profit and loss.
pub const ORANGE: RGBColor = RGBColor(214, 120, 35);

/// A bar chart of `series` over the categories `labels` (one or two series: two are drawn side
/// by side in each category), as an SVG document; `None` when there is nothing to draw.
pub fn bar_chart(
    title: &str,
    y_label: &str,
    labels: &[String],
    series: &[Series<'_>],
) -> Result<Option<String>, String> {
    if labels.is_empty() || series.is_empty() {
        return Ok(None);
    }
    let n = labels.len();
    let values = || series.iter().flat_map(|s| s.values.iter().copied());
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let high = values().map(finite).fold(0.0_f64, f64::max);
    let low = values().map(finite).fold(0.0_f64, f64::min);
    // Room above the bars for the legend.
    let pad = ((high - low) * 0.08).max(1e-9);
    let (y_min, y_max) = (
        if low < 0.0 { low - pad } else { 0.0 },
        if high > 0.0 {
            high + 3.0 * pad
        } else {
            3.0 * pad
        },
    );
    let width = (120 + 44 * n as u32).clamp(520, 1800);
    let height = 340;
    let fail = |e: DrawingAreaErrorKind<_>| format!("drawing the chart `{title}`: {e}");

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(14)
            .x_label_area_size(if n > 12 { 64 } else { 34 })
            .y_label_area_size(96)
            // `a..b` segmented has a segment for each of a..=b: one per label (a single label
            // takes `0..1`, whose second segment stays empty, as `0..0` has no width).
            .build_cartesian_2d((0..(n as i32 - 1).max(1)).into_segmented(), y_min..y_max)
            .map_err(fail)?;
        let label_of = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&label_of)
            .y_desc(y_label)
            .y_label_formatter(&|v| usd_short(*v));
        if n > 12 {
            mesh.x_label_style(
                ("sans-serif", 11)
                    .into_font()
                    .transform(FontTransform::Rotate90),
            );
        }
        mesh.draw().map_err(fail)?;
        let halves = series.len().min(2);
        // A gap of up to 3 pixels on each side of a bar, never more than a quarter of its slot.
        let slot = (width as f64 - 130.0) / n.max(2) as f64 / halves as f64;
        let gap = (slot / 4.0).clamp(0.0, 3.0) as u32;
        for (k, s) in series.iter().take(2).enumerate() {
            let color = s.color;
            let bars = s.values.iter().enumerate().map(move |(i, v)| {
                let i = i as i32;
                let (left, right) = match (halves, k) {
                    (1, _) => (SegmentValue::Exact(i), SegmentValue::Exact(i + 1)),
                    (_, 0) => (SegmentValue::Exact(i), SegmentValue::CenterOf(i)),
                    _ => (SegmentValue::CenterOf(i), SegmentValue::Exact(i + 1)),
                };
                let mut bar = Rectangle::new([(left, 0.0), (right, finite(*v))], color.filled());
                bar.set_margin(0, 0, gap, gap);
                bar
            });
            chart
                .draw_series(bars)
                .map_err(fail)?
                .label(s.name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(fail)?;
        root.present().map_err(fail)?;
    }
    Ok(Some(svg))
}

/// A USD amount for an axis: `1.2M`, `35k`, `-4.1B`.
fn usd_short(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    format!("{scaled:.1}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_svg_with_its_labels() {
        let labels = vec!["BTC".to_string(), "ETH".to_string()];
        let svg = bar_chart(
            "Coverage",
            "USD",
            &labels,
            &[
                Series {
                    name: "reserves",
                    color: GREEN,
                    values: vec![10.0, 5.0],
                },
                Series {
                    name: "net liabilities",
                    color: BLUE,
                    values: vec![9.0, -2.0],
                },
            ],
        )
        .expect("drawn")
        .expect("something to draw");
        assert!(svg.starts_with("<svg"), "{svg}");
        for text in ["BTC", "ETH", "Coverage", "reserves", "net liabilities"] {
            assert!(svg.contains(text), "{text}");
        }
        assert_eq!(bar_chart("empty", "USD", &[], &[]), Ok(None));
        // One category, and 256: every bar has a width of zero or more.
        for n in [1, 256] {
            let labels: Vec<String> = (0..n).map(|i| format!("M{i}")).collect();
            let svg = bar_chart(
                "many",
                "USD",
                &labels,
                &[Series {
                    name: "x",
                    color: BLUE,
                    values: (0..n).map(|i| i as f64 - 3.0).collect(),
                }],
            )
            .expect("drawn")
            .expect("something to draw");
            assert!(!svg.contains("width=\"-"), "{n}: a negative width");
        }
        assert_eq!(usd_short(1_234_567.0), "1.2M");
        assert_eq!(usd_short(-35_000.0), "-35.0k");
    }
}
