// A study's points as series along one axis: the points that agree on every other axis, in the
// order the study lists them (TCP and RDMA along threads, say). Questions answer per series and
// reports draw one line per series.
import type { StudyPoint } from './define-study.js';

export interface StudySeries<P> {
  /** The other axes' values that make this series (empty when the study has one axis). */
  readonly series: StudyPoint;
  /** The same as `name=value, ...` ('' when empty). */
  readonly label: string;
  readonly points: readonly P[];
}

export function seriesAlong<P extends { readonly point: StudyPoint }>(points: readonly P[], axis: string): StudySeries<P>[] {
  const groups = new Map<string, { series: StudyPoint; points: P[] }>();
  for (const point of points) {
    const rest = Object.entries(point.point).filter(([name]) => name !== axis);
    const label = rest.map(([name, value]) => `${name}=${String(value)}`).join(', ');
    let group = groups.get(label);
    if (group === undefined) {
      group = { series: Object.fromEntries(rest), points: [] };
      groups.set(label, group);
    }
    group.points.push(point);
  }
  return [...groups].map(([label, group]) => ({ label, series: group.series, points: group.points }));
}
