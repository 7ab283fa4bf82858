#!/usr/bin/env bash
# The breakglass GitHub Action (action.yml) as one script, so that it runs
# the same way in a workflow, on a laptop and in `make test`
# (cmd/breakglass/action_test.go runs it on testdata/sample).
#
# Inputs arrive as environment variables (INPUT_*, set by action.yml from
# `with:`), never as ${{ }} text pasted into a script, so no input value can
# inject shell code. BREAKGLASS is the binary to run (default: on PATH).
#
#   INPUT_CONFIG      breakglass.yaml (default); empty: none (discovery mode)
#   INPUT_AUTH        collect --auth (default workload-identity)
#   INPUT_TENANT      collect --tenant (default: the config's tenantId, then AZURE_TENANT_ID)
#   INPUT_CLIENT_ID   collect --client-id (default: AZURE_CLIENT_ID)
#   INPUT_SNAPSHOT    an existing snapshot: skip collect and scan this file
#   INPUT_BASELINE    the previous snapshot, for drift (BG-DRIFT-001); a path
#                     that does not exist (the first run) is a notice, not an error
#   INPUT_FAIL_ON     scan --fail-on (default high)
#   INPUT_FORMATS     comma- or space-separated report formats (default sarif,text);
#                     text goes to the job log, every other format to
#                     OUTPUT_DIR/breakglass.<ext>; markdown is also appended to
#                     the job summary
#   INPUT_EVIDENCE    write an evidence pack here (breakglass evidence)
#   INPUT_OUTPUT_DIR  where the snapshot and reports go (default breakglass-results)
#
# Outputs (to $GITHUB_OUTPUT when set): sarif-file, snapshot-file,
# evidence-path, exit-code. The script exits with breakglass's exit code:
# 0 ok, 1 findings at or above fail-on, 2 usage/config/input error,
# 3 collection failed.
set -o pipefail # not -u: macOS's bash 3.2 calls an empty "${array[@]}" unbound

bin=${BREAKGLASS:-breakglass}
config=${INPUT_CONFIG-breakglass.yaml}
auth=${INPUT_AUTH:-workload-identity}
tenant=${INPUT_TENANT:-}
client_id=${INPUT_CLIENT_ID:-}
snapshot=${INPUT_SNAPSHOT:-}
baseline=${INPUT_BASELINE:-}
fail_on=${INPUT_FAIL_ON:-high}
formats=${INPUT_FORMATS:-sarif,text}
evidence=${INPUT_EVIDENCE:-}
out_dir=${INPUT_OUTPUT_DIR:-breakglass-results}

# output NAME VALUE appends to $GITHUB_OUTPUT (a value with a newline would
# forge further outputs, so it is refused).
output() {
	case $2 in *$'\n'*) echo "::error::breakglass action: output $1 contains a newline" >&2; exit 2 ;; esac
	if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
}

finish() {
	output exit-code "$1"
	exit "$1"
}

usage_error() {
	echo "::error::breakglass action: $*" >&2
	finish 2
}

if ! mkdir -p "$out_dir"; then
	usage_error "cannot create output-dir $out_dir"
fi

config_args=()
if [ -n "$config" ]; then
	config_args=(--config "$config")
fi

# 1. The snapshot: given, or collected now.
if [ -n "$snapshot" ]; then
	if [ ! -f "$snapshot" ]; then
		usage_error "snapshot $snapshot does not exist: give the path of a snapshot written by breakglass collect, or leave snapshot empty to collect one"
	fi
	echo "breakglass action: scanning $snapshot (collect skipped: the snapshot input is set)" >&2
else
	snapshot=$out_dir/snapshot.json
	collect_args=(collect --auth "$auth" --output "$snapshot" "${config_args[@]}")
	[ -n "$tenant" ] && collect_args+=(--tenant "$tenant")
	[ -n "$client_id" ] && collect_args+=(--client-id "$client_id")
	"$bin" "${collect_args[@]}"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "::error::breakglass collect failed (exit $rc): no snapshot, nothing scanned" >&2
		finish "$rc"
	fi
fi
output snapshot-file "$snapshot"

# 2. The baseline, when last run's snapshot is there.
baseline_args=()
if [ -n "$baseline" ]; then
	if [ -f "$baseline" ]; then
		baseline_args=(--baseline "$baseline")
	else
		echo "::notice::breakglass: no baseline at $baseline (first run, or the artifact expired): drift (BG-DRIFT-001) is not evaluated this time" >&2
	fi
fi

# 3. Scan: one --format/--output pair per format.
format_args=()
sarif_file=
markdown_file=
IFS=$', \t\n' read -r -a format_list <<<"$formats"
for f in "${format_list[@]}"; do
	case $f in
	text) format_args+=(--format text); continue ;;
	sarif) ext=sarif ;;
	junit) ext=xml ;;
	markdown) ext=md ;;
	*) ext=$f ;; # json, html, ...; an unknown format is breakglass's usage error
	esac
	file=$out_dir/breakglass.$ext
	format_args+=(--format "$f" --output "$file")
	case $f in
	sarif) sarif_file=$file ;;
	markdown) markdown_file=$file ;;
	esac
done
if [ ${#format_args[@]} -eq 0 ]; then
	usage_error "formats is empty: give e.g. sarif,text"
fi

"$bin" scan "$snapshot" "${config_args[@]}" "${baseline_args[@]}" "${format_args[@]}" --fail-on "$fail_on"
scan_rc=$?
if [ -n "$sarif_file" ] && [ -f "$sarif_file" ]; then
	output sarif-file "$sarif_file"
fi
if [ -n "$markdown_file" ] && [ -f "$markdown_file" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	cat "$markdown_file" >>"$GITHUB_STEP_SUMMARY"
fi

# 4. The evidence pack: also when findings tripped fail-on (the pack is the
# record of them), not after a usage or input error (2).
rc=$scan_rc
if [ -n "$evidence" ]; then
	if [ "$scan_rc" -le 1 ]; then
		"$bin" evidence "$snapshot" "${config_args[@]}" --output "$evidence"
		evidence_rc=$?
		if [ "$evidence_rc" -eq 0 ]; then
			output evidence-path "$evidence"
		elif [ "$rc" -eq 0 ]; then
			rc=$evidence_rc
		fi
	else
		echo "::warning::breakglass: no evidence pack: scan failed (exit $scan_rc)" >&2
	fi
fi
finish "$rc"
