/**
 * The changes to what a run does that runs started under older code must not see: Temporal's
 * patches, decided once per run.
 */
import { patched } from '@temporalio/workflow';

/** The changes made before runs decided theirs at start; each is still asked where it first matters in the runs started before. */
export type Change =
  | 'batched-state-operations'
  | 'cleanup-in-local-activity'
  | 'final-progress-in-memo'
  | 'posted-pipe-sends'
  | 'processes-outlive-runs'
  | 'memo-decided-before-cleanup';

/**
 * Which changes this run follows, decided in its first workflow task. A patch asked later can
 * be asked a workflow task earlier on replay than in the run: a replay resolves a local activity
 * as soon as it reads its marker, where the run may have completed a task with that marker and
 * gone on in the next. The patch's marker is then not in the task the replay asks in, and the
 * replay diverges. A change made from now on is asked here too, beside this one.
 */
export function decideChanges(): (change: Change) => boolean {
  if (patched('changes-decided-at-start')) return () => true;
  return patched;
}
