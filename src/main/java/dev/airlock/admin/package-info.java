/**
 * The admin API without HTTP: {@link dev.airlock.admin.AdminApi} takes request bodies and query
 * parameters and answers JSON, or throws an {@link dev.airlock.core.AirlockException} that the ingress
 * writes as OpenAI's error shape. The ingress binds it to {@code /admin/keys}, {@code /admin/tenants}
 * and {@code /admin/spend} behind the master key; the command line calls those over HTTP.
 * {@link dev.airlock.admin.DisabledDeployments} keeps the deployments an operator took out of rotation in
 * the store and puts them in every replica's breakers ({@code /admin/deployments}).
 * {@link dev.airlock.admin.EndUsers} answers a person who asks what the ledger holds of them, and erases
 * them from it ({@code /admin/end-users/requests}, {@code /admin/end-users/erase}).
 */
package dev.airlock.admin;
