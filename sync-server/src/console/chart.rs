//! A bar chart drawn on the server as SVG: no script, no library. It is
//! an image with a title and a description for screen readers; the same
//! figures stand in a table beside it.

use maud::{Markup, html};

/// Bars of `(label, value)`, scaled to the largest.
pub fn bars(title: &str, unit: &str, data: &[(String, f64)]) -> Markup {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    let max = data.iter().map(|d| d.1).fold(0.0_f64, f64::max).max(1.0);
    let n = data.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let bar = (slot * 0.7).min(48.0);
    let plot = H - BOTTOM - 12.0;
    let desc: Vec<String> = data
        .iter()
        .map(|(l, v)| format!("{l}: {v:.1} {unit}"))
        .collect();
    html! {
        svg.chart viewBox={ "0 0 " (W) " " (H) } role="img" aria-labelledby="chart-title chart-desc" {
            title #chart-title { (title) }
            desc #chart-desc { (desc.join("; ")) }
            line x1=(LEFT) y1=(H - BOTTOM) x2=(W) y2=(H - BOTTOM) stroke="#555" {}
            text x="4" y="16" font-size="12" fill="#333" { (format!("{max:.0} {unit}")) }
            @for (i, (label, value)) in data.iter().enumerate() {
                @let h = value / max * plot;
                @let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
                rect x=(format!("{x:.1}")) y=(format!("{:.1}", H - BOTTOM - h)) width=(format!("{bar:.1}")) height=(format!("{h:.1}")) fill="#b3261e" {}
                text x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", H - 10.0)) font-size="11" text-anchor="middle" fill="#333" { (label) }
            }
        }
    }
}
