import Foundation
import HTTPTypes
import Hummingbird

/// GET /: a page to try the API by hand — pick a language, type code and stdin, run it
/// (POST /execute with the token typed in, kept in the browser's localStorage).
struct PlaygroundController {
    let service: ProctorService

    func addRoutes(to router: Router<ProctorContext>) {
        let page = Self.page(
            languages: service.configuration.languages.languages.filter { $0.missingTools.isEmpty }.map { ($0.id, $0.name) })
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    HTTPField.Name("Content-Security-Policy")!:
                        "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func page(languages: [(String, String)]) -> String {
        let options = languages.map {
            "<option value=\"\(escape($0.0))\"\($0.0 == "python3" ? " selected" : "")>\(escape($0.1))</option>"
        }
        .joined(separator: "\n          ")
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Proctor playground</title>
            <style>
              body { font: 14px system-ui, sans-serif; margin: 1.5em auto; max-width: 60em; color: #222; }
              h1 { font-size: 1.4em; }
              label { display: block; margin: .6em 0 .2em; font-weight: 600; }
              textarea, pre { width: 100%; box-sizing: border-box; font: 13px ui-monospace, monospace; }
              textarea#code { height: 14em; } textarea#stdin { height: 4em; }
              pre { background: #f4f4f4; border: 1px solid #ddd; padding: .5em; min-height: 2em; white-space: pre-wrap; margin: 0; }
              .row { display: flex; gap: 1em; align-items: end; flex-wrap: wrap; }
              button { font-size: 1em; padding: .4em 1.4em; }
              #verdict { font-weight: 700; font-size: 1.1em; }
              .AC { color: #17702c; } .bad { color: #b00020; }
              table.facts td { padding: .1em 1em .1em 0; }
            </style>
            </head>
            <body>
            <h1>Proctor playground</h1>
            <div class="row">
              <div><label for="language">Language</label>
              <select id="language">
              \(options)
              </select></div>
              <div><label for="token">API token</label><input id="token" type="password" size="24" autocomplete="off"></div>
              <div><label for="timeout">Timeout (s)</label><input id="timeout" type="number" value="5" min="0.1" max="60" step="0.1" size="5"></div>
              <div><button id="run">Run</button></div>
            </div>
            <label for="code">Code</label>
            <textarea id="code" spellcheck="false">print("hello from the sandbox")</textarea>
            <label for="stdin">Standard input</label>
            <textarea id="stdin" spellcheck="false"></textarea>
            <p><span id="verdict"></span></p>
            <table class="facts"><tr><td>Status</td><td id="status">–</td><td>Exit code</td><td id="exit">–</td></tr>
            <tr><td>Time</td><td id="time">–</td><td>CPU</td><td id="cpu">–</td></tr>
            <tr><td>Memory</td><td id="memory">–</td><td></td><td></td></tr></table>
            <label>Standard output</label><pre id="stdout"></pre>
            <label>Standard error / compiler output</label><pre id="stderr"></pre>
            <script>
            const $ = (id) => document.getElementById(id);
            $("token").value = localStorage.getItem("proctor-token") || "";
            // #token=T&language=L&code=C&stdin=S&autorun: fill the form from the fragment (never sent to the server).
            const hash = new URLSearchParams(location.hash.slice(1));
            for (const k of ["token", "language", "code", "stdin"]) if (hash.has(k)) $(k).value = hash.get(k);
            async function run() {
              localStorage.setItem("proctor-token", $("token").value);
              $("verdict").textContent = "running…"; $("verdict").className = "";
              try {
                const r = await fetch("/execute", { method: "POST",
                  headers: { "Content-Type": "application/json", "Authorization": "Bearer " + $("token").value },
                  body: JSON.stringify({ language: $("language").value, code: $("code").value, stdin: $("stdin").value,
                                         timeout: parseFloat($("timeout").value) || 5 }) });
                const j = await r.json();
                if (!r.ok) { $("verdict").textContent = "error: " + (j.error ? j.error.message : r.status); $("verdict").className = "bad"; return; }
                $("verdict").textContent = j.verdict; $("verdict").className = j.verdict === "AC" ? "AC" : "bad";
                $("status").textContent = j.status;
                $("exit").textContent = j.return_code ?? (j.signal ? "signal " + j.signal : "–");
                $("time").textContent = j.execution_time.toFixed(3) + " s";
                $("cpu").textContent = j.cpu_time.toFixed(3) + " s";
                $("memory").textContent = (j.memory_peak / 1048576).toFixed(1) + " MiB";
                $("stdout").textContent = j.stdout;
                $("stderr").textContent = j.compile_output || j.stderr;
              } catch (e) { $("verdict").textContent = "error: " + e; $("verdict").className = "bad"; }
            }
            $("run").addEventListener("click", run);
            if (hash.has("autorun")) run();
            </script>
            </body>
            </html>
            """
    }
}
