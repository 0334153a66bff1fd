// The answers of a study, one line per question and series, as every rendering states them: the
// Markdown and HTML reports (highlighted), and the terminal summary of `nvmf-sim study` and `merge`
// (render-text.ts strips the highlight). One function, so the three never disagree.
import { formatNumber as number } from '../stats/index.js';
import { ratioAnswerText, type QuestionAnswer, type StudyResult } from '../study/index.js';

/** A ratio question's claim beside the model's number, its PASS/FAIL mark highlighted; [] for other kinds. */
function claimAnswers(answer: QuestionAnswer): string[] {
  const text = ratioAnswerText(answer);
  if (text === null) return [];
  const space = text.indexOf(' ');
  return [`**${text.slice(0, space)}**${text.slice(space)}`];
}

/**
 * A ratio question's claim line first ("**PASS** rdma/tcp IOPS ...: 1.34 (expected at least 1.3)"), then
 * "hosts per target at p99 < 1 ms: **4** (latencyUs.p99 745.5)", with the cautious answer (the 95%
 * interval's) when it differs and the question's note; before all runs are in, one line saying so.
 */
export function studyAnswers(result: StudyResult): string[] {
  if (!result.complete) return [`incomplete: ${result.tasks.present} of ${result.tasks.total} runs (merge the shards for the answers)`];
  return result.answers.flatMap((answer) => [
    ...claimAnswers(answer),
    ...answer.answers.map((series) => {
      const label = Object.entries(series.series).map(([name, value]) => `${name}=${String(value)}`).join(', ');
      const value = series.value === null ? 'none' : String(series.value);
      const at = series.metricValue === null ? '' : ` (${answer.metric} ${number(series.metricValue, 1)})`;
      const cautious = series.cautiousValue !== undefined && series.cautiousValue !== series.value ? `; with the 95% interval: ${String(series.cautiousValue)}` : '';
      const note = series.note === undefined ? '' : ` — ${series.note}`;
      return `${answer.question}${label === '' ? '' : ` [${label}]`}: **${value}**${at}${cautious}${note}`;
    }),
  ]);
}
