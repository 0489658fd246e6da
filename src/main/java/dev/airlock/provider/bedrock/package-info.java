/**
 * Amazon Bedrock via Converse / ConverseStream, made to look like an OpenAI-compatible upstream.
 * {@link dev.airlock.provider.bedrock.BedrockProvider} sends with the AWS SDK (SigV4, no SDK retries);
 * {@link dev.airlock.provider.bedrock.RequestMapper} turns OpenAI messages, tools and parameters into
 * Converse input; {@link dev.airlock.provider.bedrock.ResponseMapper} and
 * {@link dev.airlock.provider.bedrock.StreamMapper} turn answers and stream events into OpenAI objects;
 * {@link dev.airlock.provider.bedrock.StreamRelay} moves stream events onto the request's context;
 * {@link dev.airlock.provider.bedrock.Errors} maps SDK exceptions to
 * {@link dev.airlock.provider.UpstreamFailure} kinds; {@link dev.airlock.provider.bedrock.Embeddings} speaks
 * to Bedrock's embedding models through InvokeModel.
 */
package dev.airlock.provider.bedrock;
