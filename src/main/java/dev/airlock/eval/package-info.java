/**
 * Evaluation suites: cases with expected answers, run against one deployment's release through the
 * relay, so that a canary can wait for its release to pass.
 * <ul>
 *   <li>{@link dev.airlock.eval.Suite}: the suite, read strictly, and each case's checks.</li>
 *   <li>{@link dev.airlock.eval.EvalRunner}: sends the cases through classification, the residency
 *       check and the relay, judges the answers, records each case in the ledger.</li>
 *   <li>{@link dev.airlock.eval.EvalRun} and {@link dev.airlock.eval.EvalStore}: the result, stored
 *       without content, with its audit event.</li>
 * </ul>
 */
package dev.airlock.eval;
