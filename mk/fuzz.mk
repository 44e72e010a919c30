# The robustness suites of issue 12 (docs/robustness.md):
#
#   make check-fuzz   libFuzzer (clang-14, ASan + UBSan) on the ksim fuzz
#                     target tests/ksim/fuzz/fuzz-ops.c: the committed
#                     corpus tests/ksim/fuzz-corpus replayed, a fixed-seed
#                     campaign of $(FUZZ_CHECK_RUNS) inputs, and the
#                     deliberately broken build (-DFUZZ_SELFTEST_BREAK: ZAPQ
#                     skips the reset) caught by the invariant check.
#                     Result: fuzz.
#   make fuzz         a long campaign: FUZZ_TIME seconds (default 3600),
#                     nice -n 15, new inputs in $(BUILD)/fuzz/corpus,
#                     crashes in $(BUILD)/fuzz/artifacts, libFuzzer's log in
#                     $(BUILD)/fuzz/campaign.log.  FUZZ_JOBS=N (default
#                     1) runs N worker processes (libFuzzer's -fork=N,
#                     stopping at the first crash, timeout or OOM; its
#                     count of inputs leaves out the jobs still running
#                     at the end).  Fails on a crash, a timeout, an OOM
#                     and on any new file in artifacts.
#   make check-race   ThreadSanitizer: 16 threads race on the simulated host
#                     for RACE_TIME seconds (tests/ksim/race/race.c), with
#                     the shim's lock-order checker; plus the inverted-order
#                     self-test, the deterministic hand-over tests and the
#                     builds that must fail.  Result: race.
#
# The corpus is regenerated with tests/ksim/fuzz/gen-corpus.py (see there).

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC      := clang-14
FUZZ_KDIR    := $(TOP)/kernel/arch/s390/kvm/ap-matrix
# the kernel files as kvm.ko links them, and the id-list parser the
# simulation uses; with coverage instrumentation (what the fuzzer follows)
FUZZ_KSRC    := $(filter-out %kunit.c,$(sort $(wildcard $(FUZZ_KDIR)/*.c)))
FUZZ_COV_SRC := $(FUZZ_KSRC) $(TOP)/tests/ksim/fuzz/fuzz-ops.c
# the simulation itself: sanitizers only (its loops over 65536 queues would
# otherwise dominate and mean nothing to the fuzzer)
FUZZ_SIM_SRC := $(TOP)/tests/shim/slab.c $(TOP)/tests/shim/ap-bitmap-str.c \
		$(addprefix $(TOP)/tests/ksim/,\
		ksim.c ksim-ap-bus.c ksim-task.c)
FUZZ_DEPS    := $(FUZZ_COV_SRC) $(FUZZ_SIM_SRC) $(wildcard \
		$(TOP)/tests/ksim/*.h $(TOP)/tests/ksim/shim/*.h \
		$(TOP)/tests/ksim/shim/*/*.h $(TOP)/tests/shim/*.h $(TOP)/tests/shim/*/*.h \
		$(FUZZ_KDIR)/*.h) $(UAPI)/asm/kvm_ap_matrix.h $(TOP)/mk/fuzz.mk
# -Wno-missing-field-initializers: clang warns on "struct fd f = { NULL }"
# (vm.c), which gcc and the kernel's W=1 accept
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
		-Wno-missing-field-initializers -Werror \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -I$(TOP)/tests/ksim/shim \
		-I$(TOP)/tests/shim -I$(FUZZ_KDIR) -I$(UAPI)
# edge coverage; no comparison tracing (the input format has no magic
# values to find, and it halves the speed)
FUZZ_COVFLAGS := -fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp
# a small ASan quarantine: the campaign runs 3-4x faster (fresh pages
# otherwise fault in for every VM's 33 KiB state); use-after-free in the
# kernel files is still caught for the most recent frees
FUZZ_ENV     := ASAN_OPTIONS=quarantine_size_mb=4:malloc_context_size=8:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
FUZZ_CORPUS  := $(TOP)/tests/ksim/fuzz-corpus
FUZZ_CHECK_RUNS ?= 40000
FUZZ_TIME    ?= 3600
FUZZ_JOBS    ?= 1
ifneq ($(filter fuzz,$(MAKECMDGOALS)),)
ifneq ($(shell echo '$(FUZZ_JOBS)' | grep -qx '[1-9][0-9]*' || echo bad),)
$(error FUZZ_JOBS: a number of processes, not '$(FUZZ_JOBS)')
endif
endif
# fork mode ignores timeouts and OOMs unless told (libFuzzer 14)
FUZZ_FORK    := $(if $(filter-out 1,$(FUZZ_JOBS)),-fork=$(FUZZ_JOBS) \
		-ignore_crashes=0 -ignore_timeouts=0 -ignore_ooms=0)

.PHONY: fuzz check-fuzz
CHECK_TARGETS += check-fuzz

# $(1): binary, $(2): extra cflags
define fuzz_build
	@mkdir -p $(1).obj; rm -f $(1).obj/*.o
	@set -e; for f in $(FUZZ_COV_SRC); do \
		echo "  CC      $$f"; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COVFLAGS) $(2) -c $$f \
			-o $(1).obj/$$(basename $$f).o; \
	done; for f in $(FUZZ_SIM_SRC); do \
		echo "  CC      $$f"; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) $(2) -c $$f \
			-o $(1).obj/$$(basename $$f).o; \
	done
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(1) $(1).obj/*.o
endef

$(FUZZ_DIR)/fuzz-ops: $(FUZZ_DEPS)
	$(call fuzz_build,$@,)

$(FUZZ_DIR)/fuzz-ops-broken: $(FUZZ_DEPS)
	$(call fuzz_build,$@,-DFUZZ_SELFTEST_BREAK)

# Three tests: every seed passes; the fixed-seed campaign finds nothing;
# the broken build is caught (an invariant message naming the hand-over).
check-fuzz: $(FUZZ_DIR)/fuzz-ops $(FUZZ_DIR)/fuzz-ops-broken
	@mkdir -p $(BUILD)/results
	@set -e; out=$(BUILD)/results/fuzz.result; : > $$out; p=0; f=0; \
	cd $(FUZZ_DIR); \
	if $(FUZZ_ENV) ./fuzz-ops -runs=0 $(FUZZ_CORPUS) > replay.log 2>&1; then \
		p=$$((p + 1)); echo "fuzz-replay: $$(ls $(FUZZ_CORPUS) | wc -l) seeds: ok" >> $$out; \
	else f=$$((f + 1)); echo "fuzz-replay: FAILED" >> $$out; \
		grep -E 'INVARIANT|ERROR|runtime error' replay.log >> $$out || true; fi; \
	rm -rf check-corpus check-artifacts; mkdir -p check-corpus check-artifacts; \
	start=$$(date +%s); \
	if $(FUZZ_ENV) ./fuzz-ops -seed=1 -runs=$(FUZZ_CHECK_RUNS) \
		-max_total_time=80 -print_final_stats=1 \
		-artifact_prefix=check-artifacts/ check-corpus $(FUZZ_CORPUS) \
		> campaign-check.log 2>&1; then \
		p=$$((p + 1)); \
		echo "fuzz-campaign: seed 1, $$(sed -n 's/^stat::number_of_executed_units: *//p' campaign-check.log) inputs in $$(($$(date +%s) - start)) s, 0 crashes" >> $$out; \
	else f=$$((f + 1)); echo "fuzz-campaign: FAILED, see $(FUZZ_DIR)/check-artifacts" >> $$out; \
		grep -E 'INVARIANT|ERROR|runtime error' campaign-check.log >> $$out || true; fi; \
	if $(FUZZ_ENV) ./fuzz-ops-broken -runs=0 $(FUZZ_CORPUS) > broken.log 2>&1; then \
		f=$$((f + 1)); echo "fuzz-selftest: the broken build was NOT caught" >> $$out; \
	elif grep -q 'fuzz INVARIANT.*handed to VM .* secret' broken.log; then \
		p=$$((p + 1)); echo "fuzz-selftest: broken build caught: $$(grep -m1 'fuzz INVARIANT' broken.log)" >> $$out; \
	else f=$$((f + 1)); echo "fuzz-selftest: broken build failed otherwise" >> $$out; \
		grep -m3 -E 'INVARIANT|ERROR' broken.log >> $$out || true; fi; \
	rm -f crash-* leak-* timeout-*; \
	echo "fuzz: $$p passed, $$f failed" >> $$out; cat $$out; [ $$f -eq 0 ]

fuzz: $(FUZZ_DIR)/fuzz-ops
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	@echo "  FUZZ    $(FUZZ_TIME) s, log $(FUZZ_DIR)/campaign.log"
	cd $(FUZZ_DIR) && touch artifacts/.start; \
	$(FUZZ_ENV) nice -n 15 ./fuzz-ops \
		-max_total_time=$(FUZZ_TIME) -print_final_stats=1 $(FUZZ_FORK) \
		-artifact_prefix=artifacts/ corpus $(FUZZ_CORPUS) \
		> campaign.log 2>&1; rc=$$?; \
	grep -E '^#[0-9]+([[:space:]]+(DONE|pulse)|: cov:)' campaign.log | \
		tail -n 2; \
	$(if $(FUZZ_FORK),,grep -E '^stat::' campaign.log;) \
	ls artifacts | sed 's/^/  artifact: /'; \
	if [ -n "$$(find artifacts -type f -newer artifacts/.start)" ]; then \
		echo "  fuzz: new files in artifacts"; [ $$rc -ne 0 ] || rc=1; \
	fi; exit $$rc

# ---- check-race: ThreadSanitizer ------------------------------------------
# race: CONFIG_ZCRYPT=y, the AP bus simulation (ksim-ap-bus.c) raced too;
# race-nozcrypt: no AP bus (queues come and go at the hardware level only);
# race-broken: race with the AP bus's mask edit missing ap_perms_mutex;
# race-unfixed: race with zeroize.c's record of queues that answered while
# held undone (apmx_zq_note() records nothing), the fix of the scan window
# reverted.  A sed of a copy, not a -D switch: the kernel file carries no
# test hook; the build fails if the line to undo is not found.
RACE_DIR     := $(BUILD)/race
RACE_TIME    ?= 15
RACE_NOZCRYPT_TIME ?= 10
RACE_BROKEN_TIME ?= 10
RACE_SRC     := $(FUZZ_KSRC) $(FUZZ_SIM_SRC) $(TOP)/tests/ksim/race/race.c
RACE_ENV     := TSAN_OPTIONS="halt_on_error=1 exitcode=66"
RACE_CFLAGS  := $(filter-out -fsanitize=address%,$(FUZZ_CFLAGS)) \
		-fsanitize=thread -DKSIM_THREADS -pthread

.PHONY: check-race
CHECK_TARGETS += check-race

$(RACE_DIR)/race: $(FUZZ_DEPS) $(TOP)/tests/ksim/race/race.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RACE_CFLAGS) -o $@ $(RACE_SRC)

$(RACE_DIR)/race-nozcrypt: $(FUZZ_DEPS) $(TOP)/tests/ksim/race/race.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RACE_CFLAGS) -DCONFIG_ZCRYPT=0 -o $@ $(RACE_SRC)

$(RACE_DIR)/race-broken: $(FUZZ_DEPS) $(TOP)/tests/ksim/race/race.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RACE_CFLAGS) -DKSIM_BREAK_PERMS_LOCK -o $@ $(RACE_SRC)

RACE_UNFIX   := s/^\tif (!apmx_zq_answered_now(q))$$/\tif (1 || !apmx_zq_answered_now(q))/
$(RACE_DIR)/race-unfixed: $(FUZZ_DEPS) $(TOP)/tests/ksim/race/race.c
	@mkdir -p $(@D)/unfixed
	sed '$(RACE_UNFIX)' $(FUZZ_KDIR)/zeroize.c > $(@D)/unfixed/zeroize.c
	@[ "$$(diff $(FUZZ_KDIR)/zeroize.c $(@D)/unfixed/zeroize.c | grep -c '^>')" = 1 ] || \
		{ echo "race-unfixed: apmx_zq_note() of zeroize.c not found, update mk/fuzz.mk" >&2; exit 1; }
	$(FUZZ_CC) $(RACE_CFLAGS) -o $@ $(filter-out %/zeroize.c,$(RACE_SRC)) \
		$(@D)/unfixed/zeroize.c

# Nine tests: the race with the AP bus (race: 0 TSan reports, exit 66
# otherwise; invariants during and at the end), the race without it
# (race-nozcrypt, queues out of the configuration and deconfigured
# meanwhile), the inverted lock order caught by the shim's checker (with
# TSan's own deadlock detector off, so that ours is what is tested),
# --deconf-handover in both builds (RC 01 and 03 are no reset), race
# --scan-window (a queue used before the scan added its device), race
# --leftover-probe (a queue device added during a leftover retry ends
# with vfio_ap), the
# reverted fix (race-unfixed) caught by --scan-window, and the broken
# build (a mask edit without ap_perms_mutex) caught twice: by
# ThreadSanitizer (with the invariant off, RACE_NO_MASK_CHECK: it would
# often stop the run first), and with TSan's reports off by the
# masks-vs-holders invariant.  Whether the race shows within
# RACE_BROKEN_TIME is chance (a cold CI run missed each half once): each
# half gets up to three runs, and a run that ends clean (exit 0) is the
# only one retried.
check-race: $(RACE_DIR)/race $(RACE_DIR)/race-nozcrypt $(RACE_DIR)/race-broken \
		$(RACE_DIR)/race-unfixed
	@mkdir -p $(BUILD)/results
	@set -e; out=$(BUILD)/results/race.result; : > $$out; p=0; f=0; \
	cd $(RACE_DIR); \
	if $(RACE_ENV) ./race $(RACE_TIME) > race.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-run: FAILED (exit $$?), see $(RACE_DIR)/race.log" >> $$out; \
		grep -m5 -E 'INVARIANT|WARNING: ThreadSanitizer|VIOLATION' race.log >> $$out || true; fi; \
	grep -E '^race: ' race.log | sed 's/^race:/race (AP bus):/' >> $$out || true; \
	if $(RACE_ENV) ./race-nozcrypt $(RACE_NOZCRYPT_TIME) > race-nozcrypt.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-nozcrypt: FAILED (exit $$?), see $(RACE_DIR)/race-nozcrypt.log" >> $$out; \
		grep -m5 -E 'INVARIANT|WARNING: ThreadSanitizer|VIOLATION' race-nozcrypt.log >> $$out || true; fi; \
	grep -E '^race: ' race-nozcrypt.log | sed 's/^race:/race (no AP bus):/' >> $$out || true; \
	if TSAN_OPTIONS="halt_on_error=1 exitcode=66 detect_deadlocks=0" \
		./race --selftest-order > selftest.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-selftest: FAILED" >> $$out; fi; \
	grep '^race-selftest' selftest.log >> $$out || true; \
	if $(RACE_ENV) ./race-nozcrypt --deconf-handover > deconf.log 2>&1 && \
		$(RACE_ENV) ./race --deconf-handover > deconf-bus.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-deconf: FAILED, see $(RACE_DIR)/deconf.log, deconf-bus.log" >> $$out; \
		grep 'FAIL' deconf.log deconf-bus.log >> $$out || true; fi; \
	grep -E '^race-deconf: (passed|FAILED)' deconf.log | sed 's/^race-deconf:/race-deconf (no AP bus):/' >> $$out || true; \
	grep -E '^race-deconf: (passed|FAILED)' deconf-bus.log | sed 's/^race-deconf:/race-deconf (AP bus):/' >> $$out || true; \
	if $(RACE_ENV) ./race --scan-window > scan.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-scan: FAILED, see $(RACE_DIR)/scan.log" >> $$out; \
		grep 'FAIL' scan.log >> $$out || true; fi; \
	grep -E '^race-scan: (passed|FAILED)' scan.log >> $$out || true; \
	if $(RACE_ENV) ./race --leftover-probe > leftover.log 2>&1; then p=$$((p + 1)); \
	else f=$$((f + 1)); echo "race-leftover: FAILED, see $(RACE_DIR)/leftover.log" >> $$out; \
		grep -m5 'FAIL' leftover.log >> $$out || true; fi; \
	grep -E '^race-leftover: [0-9]+ rounds' leftover.log >> $$out || true; \
	grep -E '^race-leftover: (passed|FAILED)' leftover.log >> $$out || true; \
	rc=0; $(RACE_ENV) ./race-unfixed --scan-window > scan-unfixed.log 2>&1 || rc=$$?; \
	if [ $$rc -eq 1 ] && grep -q "^race-scan: FAIL: guest B never sees guest A's secret" scan-unfixed.log; then p=$$((p + 1)); \
		echo "race-unfixed: the reverted fix caught by --scan-window: $$(grep -c '^race-scan: FAIL:' scan-unfixed.log) checks failed, B saw A's secret" >> $$out; \
	else f=$$((f + 1)); echo "race-unfixed: the reverted fix NOT caught by --scan-window (exit $$rc)" >> $$out; fi; \
	for try in 1 2 3; do rc=0; RACE_NO_MASK_CHECK=1 $(RACE_ENV) ./race-broken $(RACE_BROKEN_TIME) > broken.log 2>&1 || rc=$$?; \
		[ $$rc -eq 0 ] || break; done; \
	if [ $$rc -eq 66 ] && grep -q 'WARNING: ThreadSanitizer: data race' broken.log; then p=$$((p + 1)); \
		echo "race-broken: mask edit without ap_perms_mutex caught by ThreadSanitizer: $$(grep -m1 -A6 'WARNING: ThreadSanitizer' broken.log | sed -n 's/^ *#[0-9] \([^ ]*\) .*/\1/p' | grep -v -E '^(memcpy|memcmp|__tsan|__interceptor)' | head -n1) in a data race" >> $$out; \
	else f=$$((f + 1)); echo "race-broken: NOT caught by ThreadSanitizer (exit $$rc)" >> $$out; fi; \
	for try in 1 2 3; do rc=0; TSAN_OPTIONS="report_bugs=0" ./race-broken $(RACE_BROKEN_TIME) > broken-inv.log 2>&1 || rc=$$?; \
		[ $$rc -eq 0 ] || break; done; \
	if [ $$rc -eq 1 ] && grep -q 'race INVARIANT: the host owns' broken-inv.log; then p=$$((p + 1)); \
		echo "race-broken: caught by the masks-vs-holders invariant (TSan reports off): $$(grep -m1 'host-owned and held' broken-inv.log)" >> $$out; \
	else f=$$((f + 1)); echo "race-broken: NOT caught by the invariant (exit $$rc)" >> $$out; fi; \
	echo "race: $$p passed, $$f failed" >> $$out; cat $$out; [ $$f -eq 0 ]
