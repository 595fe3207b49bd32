//! Placing the timeline: rows and their sub-lanes, span positions, the time axis, the size and
//! the scale.

use crate::engine::definition::ServiceId;
use crate::engine::scenario::Coordination;

use super::read::raw_spans;
use super::*;

/// The rows of a style, top to bottom.
fn row_keys(coordination: Coordination) -> Vec<RowKey> {
    let services = ServiceId::ALL.iter().map(|&s| RowKey::Service(s));
    match coordination {
        Coordination::Orchestration => std::iter::once(RowKey::Orchestrator)
            .chain(services)
            .collect(),
        Coordination::Choreography => services.collect(),
    }
}

/// Tick spacing: about 6 to 12 ticks over the axis.
fn tick_step(axis_ms: f64) -> u64 {
    const MANTISSAS: [u64; 4] = [10, 20, 25, 50];
    let mut scale = 10u64;
    loop {
        for m in MANTISSAS {
            let step = m.saturating_mul(scale);
            if (axis_ms / step as f64).floor() < 12.0 || step >= u64::MAX / 100 {
                return step;
            }
        }
        scale = scale.saturating_mul(10);
    }
}

/// A tick's text: whole seconds where possible ("3 s", "1.5 s", "0.25 s").
fn tick_label(ms: u64) -> String {
    let (s, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{s} s")
    } else if frac % 100 == 0 {
        format!("{s}.{} s", frac / 100)
    } else {
        format!("{s}.{:02} s", frac / 10)
    }
}

/// Lays the run out: rows, spans, axis, size and scale.
pub fn layout(input: &GanttInput) -> GanttLayout {
    let now = input.now_ms;
    let mut raws = raw_spans(input);
    for r in &mut raws {
        if r.end_ms.is_none() {
            r.end_ms = Some(now.max(r.start_ms));
            r.outcome = SpanOutcome::Running;
        }
    }

    // Scale: 10 ms per px at most, shrunk so the whole run fits the widest plot.
    let last = input.trace.iter().map(|e| e.at_ms).max().unwrap_or(0);
    let span_ms = now.max(last).max(1) as f64;
    let max_plot = MAX_WIDTH - LABEL_W - RIGHT_PAD;
    let min_plot = MIN_WIDTH - LABEL_W - RIGHT_PAD;
    let ms_per_px = (span_ms / max_plot).max(MIN_MS_PER_PX);
    let plot_w = (span_ms / ms_per_px).max(min_plot);
    let width = LABEL_W + plot_w + RIGHT_PAD;
    let x_of = |ms: u64| LABEL_W + ms as f64 / ms_per_px;

    let axis_ms = plot_w * ms_per_px;
    let step = tick_step(axis_ms);
    let axis: Vec<Tick> = (0..)
        .map(|i: u64| i.saturating_mul(step))
        .take_while(|&ms| (ms as f64) <= axis_ms)
        .map(|ms| Tick {
            ms,
            x: x_of(ms),
            label: tick_label(ms),
        })
        .collect();

    // Spans with x; down bands first (drawn under the rest).
    let mut spans: Vec<(RowKey, Span)> = raws
        .into_iter()
        .map(|r| {
            let end_ms = r.end_ms.unwrap_or(now).max(r.start_ms);
            let x0 = x_of(r.start_ms);
            let span = Span {
                row: 0,
                lane: None,
                x0,
                x1: x_of(end_ms).max(x0 + MIN_SPAN_PX),
                y: 0.0,
                height: 0.0,
                start_ms: r.start_ms,
                end_ms,
                kind: r.kind,
                outcome: r.outcome,
                label: r.label,
                detail: r.detail,
                seq: r.seq,
                events: r.events,
                saga: r.saga,
                task: r.task,
                attempt: r.attempt,
            };
            (r.row, span)
        })
        .collect();
    spans.sort_by_key(|s| (s.1.kind != SpanKind::Down, s.1.start_ms, s.1.seq));

    // Rows and sub-lanes: per row, per saga, first fit by start.
    let keys = row_keys(input.scenario.coordination);
    let mut rows = Vec::with_capacity(keys.len());
    let mut y = AXIS_H;
    let mut placed: Vec<Span> = Vec::with_capacity(spans.len());
    let mut pending = spans;
    for (row_index, key) in keys.iter().enumerate() {
        let (mine, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(k, _)| k == key);
        pending = rest;
        let mut sagas: Vec<SagaId> = mine
            .iter()
            .filter(|(_, s)| s.kind != SpanKind::Down)
            .filter_map(|(_, s)| s.saga)
            .collect();
        sagas.sort_unstable();
        sagas.dedup();
        let mut lanes: Vec<(Option<SagaId>, f64)> = Vec::new();
        let mut row_spans: Vec<Span> = Vec::new();
        for saga in &sagas {
            let first_lane = lanes.len();
            for (_, mut s) in mine
                .iter()
                .filter(|(_, s)| s.kind != SpanKind::Down && s.saga == Some(*saga))
                .cloned()
            {
                let free = (first_lane..lanes.len())
                    .find(|&l| lanes.get(l).is_some_and(|&(_, end)| end <= s.x0));
                let lane = match free {
                    Some(l) => l,
                    None => {
                        lanes.push((Some(*saga), s.x1));
                        lanes.len() - 1
                    }
                };
                if let Some(slot) = lanes.get_mut(lane) {
                    slot.1 = s.x1;
                }
                s.lane = Some(lane);
                row_spans.push(s);
            }
        }
        if lanes.is_empty() {
            lanes.push((None, 0.0));
        }
        let n = lanes.len() as f64;
        let height = 2.0 * ROW_PAD + n * LANE_H + (n - 1.0) * LANE_GAP;
        for (_, mut s) in mine.into_iter().filter(|(_, s)| s.kind == SpanKind::Down) {
            s.row = row_index;
            s.y = y;
            s.height = height;
            placed.push(s);
        }
        for mut s in row_spans {
            s.row = row_index;
            let lane = s.lane.unwrap_or(0) as f64;
            s.y = y + ROW_PAD + lane * (LANE_H + LANE_GAP);
            s.height = LANE_H;
            placed.push(s);
        }
        rows.push(GanttRow {
            key: *key,
            y,
            height,
            lanes: lanes.into_iter().map(|(saga, _)| saga).collect(),
        });
        y += height;
    }
    placed.sort_by(|a, b| {
        (a.kind != SpanKind::Down)
            .cmp(&(b.kind != SpanKind::Down))
            .then(a.start_ms.cmp(&b.start_ms))
            .then(a.seq.cmp(&b.seq))
            .then(a.row.cmp(&b.row))
    });

    GanttLayout {
        rows,
        spans: placed,
        axis,
        width,
        height: y + BOTTOM_PAD,
        ms_per_px,
        now_x: x_of(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::gantt::testing::*;

    #[test]
    fn spans_on_a_lane_never_overlap() {
        for (name, r) in all_runs() {
            let g = r.layout();
            for (ri, row) in g.rows.iter().enumerate() {
                for (li, saga) in row.lanes.iter().enumerate() {
                    let mut lane: Vec<&Span> = g
                        .spans
                        .iter()
                        .filter(|s| s.row == ri && s.lane == Some(li))
                        .collect();
                    lane.sort_by(|a, b| a.x0.total_cmp(&b.x0));
                    for w in lane.windows(2) {
                        assert!(w[0].x1 <= w[1].x0 + 1e-9, "{name}: {:?} / {:?}", w[0], w[1]);
                    }
                    for s in &lane {
                        assert_eq!(s.saga, *saga, "{name}: one saga per lane");
                        assert!(s.y >= row.y && s.y + s.height <= row.y + row.height);
                    }
                }
            }
            assert!(g.spans.iter().all(|s| s.row < g.rows.len()));
        }
    }

    #[test]
    fn several_sagas_get_their_own_lanes() {
        for id in ["two-customers", "no-semantic-lock"] {
            for c in STYLES {
                let g = run(id, c, None).layout();
                let reservation = &g.rows[row_of(&g, RowKey::Service(ServiceId::Reservation))];
                assert!(reservation.lanes.contains(&Some(0)), "{id} {c:?}");
                assert!(reservation.lanes.contains(&Some(1)), "{id} {c:?}");
                // Lanes of a saga are together, in saga order.
                let mut sorted = reservation.lanes.clone();
                sorted.sort();
                assert_eq!(sorted, reservation.lanes, "{id} {c:?}");
                // Rows stack without gaps.
                for w in g.rows.windows(2) {
                    assert_eq!(w[0].y + w[0].height, w[1].y, "{id} {c:?}");
                }
            }
        }
    }

    #[test]
    fn the_axis_has_readable_ticks_and_the_width_is_bounded() {
        for (name, r) in all_runs() {
            let g = r.layout();
            assert!(
                (6..=12).contains(&g.axis.len()),
                "{name}: {} ticks",
                g.axis.len()
            );
            assert_eq!(g.axis[0].label, "0 s", "{name}");
            assert!(g
                .axis
                .windows(2)
                .all(|w| w[0].x < w[1].x && w[0].ms < w[1].ms));
            assert!(
                (MIN_WIDTH..=MAX_WIDTH).contains(&g.width),
                "{name}: {}",
                g.width
            );
            let last = r.trace.iter().map(|e| e.at_ms).max().unwrap_or(0);
            assert!(
                g.x_of(last.max(r.now_ms)) <= g.width - RIGHT_PAD + 1e-6,
                "{name}"
            );
        }
        // A very long run is scaled down to fit.
        let mut r = run("happy-path", Coordination::Orchestration, None);
        r.now_ms = 3_600_000;
        let g = r.layout();
        assert!(g.width <= MAX_WIDTH);
        assert!(g.ms_per_px > MIN_MS_PER_PX);
        assert!((g.now_x - (g.width - RIGHT_PAD)).abs() < 1e-6);
        assert!((6..=12).contains(&g.axis.len()), "{}", g.axis.len());
        // A run just begun keeps the finest scale.
        let r = run("happy-path", Coordination::Orchestration, Some(500));
        let g = r.layout();
        assert_eq!((g.width, g.ms_per_px), (MIN_WIDTH, MIN_MS_PER_PX));
        assert_eq!(tick_label(2500), "2.5 s");
        assert_eq!(tick_label(250), "0.25 s");
    }
}
