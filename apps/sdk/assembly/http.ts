// HTTP requests to the hosts the manifest's permissions.network grants (Extism's http_request).
// A request to any other host fails the app; one that gets no answer gives status 0, with the
// reason in the app's log. Each request blocks the tick and counts toward its time budget.
import { blockFromBytes, blockFromString, takeBytes, utf8ToString } from "./block";
import { free, http_request, http_status_code } from "./host";
import { JsonValue } from "./json";

export class HttpResponse {
  /** The HTTP status; 0 when there was no answer (refused connection, out of time, too large). */
  status: i32 = 0;
  body: Uint8Array = new Uint8Array(0);

  /** A 2xx status. */
  get ok(): bool { return this.status >= 200 && this.status < 300; }
  text(): string { return utf8ToString(this.body); }
  /** The body parsed as JSON; null when it is not JSON. */
  json(): JsonValue | null { return JsonValue.parse(this.text()); }
}

export namespace http {
  /** GET `url`. `headers`: a JSON object of strings, or null. */
  export function get(url: string, headers: JsonValue | null = null): HttpResponse {
    return request("GET", url, null, headers);
  }

  /** Any method; `body` is sent for methods other than GET and HEAD. */
  export function request(method: string, url: string, body: Uint8Array | null = null, headers: JsonValue | null = null): HttpResponse {
    const spec = JsonValue.object().set("url", JsonValue.string(url)).set("method", JsonValue.string(method));
    if (headers !== null) spec.set("headers", headers);
    const req = blockFromString(spec.stringify());
    const data: u64 = body !== null ? blockFromBytes(body) : 0;
    const reply = http_request(req, data);
    const r = new HttpResponse();
    r.status = http_status_code();
    const bytes = takeBytes(reply);
    if (bytes !== null) r.body = bytes;
    free(req);
    if (data != 0) free(data);
    return r;
  }
}
