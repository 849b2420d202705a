/// The pytest side of Proctor's JSON lines protocol (`UnitReport.readJSONLines`): a main
/// script written into the report folder of each run, which starts pytest with a plugin that
/// writes one line per test as it finishes (so a run stopped by a limit keeps what finished).
///
/// The run's token is read from `DIR/token`, which the plugin deletes before any test file
/// (and so any student code) is imported: the token is then only in this process's memory.
/// Weights, visibility and numbers come from markers (`@pytest.mark.weight(2)`,
/// `@pytest.mark.visibility("hidden")`, `@pytest.mark.number("1.2")`) or from
/// gradescope-utils' decorators (`@weight`, `@visibility`, `@number`, which set
/// `__weight__`, `__visibility__`, `__number__` on the function); they are also recorded as
/// properties, so pytest's own JUnit XML carries them. The preset runs pytest with an empty
/// ini file of Proctor's (`-c`) and `--noconftest`, so a pytest.ini, setup.cfg or conftest.py
/// that a submission brings changes nothing.
enum PytestPlugin {
    static let main = #"""
        import json, os, sys, time

        DIR = sys.argv[1]
        _out = open(os.path.join(DIR, "results.jsonl"), "a", buffering=1)
        with open(os.path.join(DIR, "token")) as f:
            _token = f.read().strip()
        os.unlink(os.path.join(DIR, "token"))


        def _write(**fields):
            fields["token"] = _token
            _out.write(json.dumps(fields) + "\n")
            _out.flush()


        def _name(nodeid):
            parts = nodeid.split("::")
            return "::".join(parts[1:]) if len(parts) > 1 else nodeid


        def _meta(item):
            found = {}
            fn = getattr(item, "obj", None)
            for key in ("weight", "visibility", "number"):
                mark = item.get_closest_marker(key)
                if mark is not None and mark.args:
                    found[key] = mark.args[0]
                elif fn is not None and getattr(fn, "__%s__" % key, None) is not None:
                    found[key] = getattr(fn, "__%s__" % key)
            return found


        class ProctorPlugin:
            def __init__(self):
                self.results = {}
                self.meta = {}

            def pytest_configure(self, config):
                for key in ("weight", "visibility", "number"):
                    config.addinivalue_line("markers", "%s(value): Proctor's %s of a test" % (key, key))

            def pytest_collectreport(self, report):
                if report.failed:
                    _write(event="note", message="collection error in %s: %s" % (report.nodeid, str(report.longreprtext)[-1500:]))

            def pytest_runtest_setup(self, item):
                meta = _meta(item)
                self.meta[item.nodeid] = meta
                for key, value in meta.items():
                    item.user_properties.append((key, value))

            def pytest_runtest_logstart(self, nodeid, location):
                _write(event="start", test=_name(nodeid))

            def pytest_runtest_logreport(self, report):
                r = self.results.setdefault(report.nodeid, {"status": "passed", "time": 0.0, "message": ""})
                r["time"] += report.duration
                if report.skipped and r["status"] == "passed":
                    r["status"] = "skipped"
                    r["message"] = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)[:2000]
                elif report.failed:
                    r["status"] = "failed" if report.when == "call" else "error"
                    crash = getattr(report.longrepr, "reprcrash", None)
                    # The assertion's own line (pytest adds "where ..." lines after it).
                    text = crash.message if crash is not None else str(report.longreprtext)
                    lines = [l for l in text.splitlines() if l.strip()]
                    r["message"] = (lines[0] if crash is not None and lines else text[-2000:])[:2000]
                if report.when == "teardown":
                    fields = dict(test=_name(report.nodeid), **r)
                    fields["class"] = report.nodeid.split("::")[0]
                    fields.update(self.meta.get(report.nodeid, {}))
                    _write(**fields)

            def pytest_sessionfinish(self, session, exitstatus):
                _write(event="end", exitstatus=int(exitstatus))


        import pytest

        # The workdir (the student's modules) is importable from here on, not before pytest is.
        sys.path.insert(0, os.getcwd())
        sys.exit(pytest.main(sys.argv[2:], plugins=[ProctorPlugin()]))
        """#
}
