/**
 * The largest HTTP body worth reading: 4 MiB of data is at most 5.6 MiB once base64-encoded, plus
 * the JSON around it. A bigger body cannot be a valid request, so it is refused without being kept.
 */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;
