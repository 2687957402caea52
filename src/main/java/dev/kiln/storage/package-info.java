/**
 * Object storage for generation results: Cloudflare R2 (or any S3 API) through the AWS SDK's
 * non-blocking {@code S3AsyncClient}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Storage")
package dev.kiln.storage;
