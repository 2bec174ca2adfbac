//! Charts drawn on the server as SVG: no JavaScript, legible in print, labels in the page's
//! language. Two kinds are enough for the dashboard: grouped bars (a value pair per label,
//! e.g. found and rectified per county or per month).

/// Escapes text for SVG/XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A grouped bar chart: for each label, one bar per series value. `series` names the two
/// series for the legend. Returns a complete `<svg>` element.
pub fn grouped_bars(title: &str, series: [&str; 2], rows: &[(String, [i64; 2])]) -> String {
    const W: i64 = 720;
    const H: i64 = 260;
    const LEFT: i64 = 48;
    const BOTTOM: i64 = 56;
    const TOP: i64 = 36;
    let max = rows.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let plot_h = H - TOP - BOTTOM;
    let n = rows.len().max(1) as i64;
    let slot = (W - LEFT - 8) / n;
    let bar = (slot / 3).max(2);
    let colors = ["#1f5fa8", "#3aa35b"];
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\">\
         <title>{t}</title><text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    for (i, name) in series.iter().enumerate() {
        let x = W - 220 + i as i64 * 110;
        svg += &format!(
            "<rect x=\"{x}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"15\" font-size=\"11\">{}</text>",
            colors[i],
            x + 14,
            esc(name)
        );
    }
    let base = H - BOTTOM;
    svg += &format!("<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#555\"/>", W - 8);
    svg += &format!("<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{max}</text>", LEFT - 4, TOP + 4);
    for (i, (label, values)) in rows.iter().enumerate() {
        let x0 = LEFT + i as i64 * slot + (slot - 2 * bar) / 2;
        for (k, v) in values.iter().enumerate() {
            let h = v * plot_h / max;
            svg += &format!(
                "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\"><title>{}: {v}</title></rect>",
                x0 + k as i64 * bar,
                base - h,
                colors[k],
                esc(&format!("{label} {}", series[k]))
            );
        }
        svg += &format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x0 + bar,
            base + 14,
            esc(label)
        );
    }
    svg + "</svg>"
}

/// Ranks over periods, one line per region (rank 1 at the top). `periods` label the x axis;
/// `lines` are (region label, rank per period, `None` where unknown). Returns an `<svg>`.
pub fn rank_lines(title: &str, periods: &[String], lines: &[(String, Vec<Option<usize>>)]) -> String {
    const W: i64 = 720;
    const H: i64 = 300;
    const LEFT: i64 = 40;
    const RIGHT: i64 = 120;
    const TOP: i64 = 30;
    const BOTTOM: i64 = 30;
    let worst = lines.iter().flat_map(|(_, r)| r.iter().flatten().copied()).max().unwrap_or(1).max(2) as i64;
    let n = periods.len().max(2) as i64;
    let x = |i: usize| LEFT + i as i64 * (W - LEFT - RIGHT) / (n - 1);
    let y = |rank: usize| TOP + (rank as i64 - 1) * (H - TOP - BOTTOM) / (worst - 1);
    let palette = ["#1f5fa8", "#3aa35b", "#c0392b", "#8e44ad", "#d68910", "#16a085", "#7f8c8d", "#2c3e50"];
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\">\
         <title>{t}</title><text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    );
    for (i, p) in periods.iter().enumerate() {
        svg +=
            &format!("<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>", x(i), H - 8, esc(p));
    }
    for (k, (label, ranks)) in lines.iter().enumerate() {
        let color = palette[k % palette.len()];
        let points: Vec<String> =
            ranks.iter().enumerate().filter_map(|(i, r)| r.map(|r| format!("{},{}", x(i), y(r)))).collect();
        svg += &format!(
            "<polyline class=\"rank-line\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            esc(label)
        );
        if let Some((i, r)) = ranks.iter().enumerate().rev().find_map(|(i, r)| r.map(|r| (i, r))) {
            svg += &format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"{color}\">{} {r}</text>",
                x(i) + 6,
                y(r) + 3,
                esc(label)
            );
        }
    }
    svg + "</svg>"
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_bar_per_value_scaled_to_the_largest_and_labels_escaped() {
        let rows = vec![("霍邱县".to_owned(), [10, 5]), ("<x>".to_owned(), [0, 2])];
        let svg = super::grouped_bars("隐患", ["发现", "整改"], &rows);
        assert_eq!(svg.matches("class=\"bar\"").count(), 4);
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
        assert!(svg.contains("height=\"168\""), "the largest value fills the plot: {svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn one_line_per_region_with_rank_one_at_the_top() {
        let periods = vec!["2023Q2".to_owned(), "2023Q3".to_owned()];
        let svg = super::rank_lines(
            "排名",
            &periods,
            &[("六安市".into(), vec![Some(14), Some(1)]), ("合肥市".into(), vec![Some(1), None])],
        );
        assert_eq!(svg.matches("class=\"rank-line\"").count(), 2);
        assert!(svg.contains("points=\"40,270 600,30\""), "rank 14 at the bottom, rank 1 at the top: {svg}");
        assert!(svg.contains("六安市 1"));
    }
}
