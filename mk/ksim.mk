# tests/ksim: the apmatrix kernel files (arch/s390/kvm/ap-matrix/*.c),
# compiled unmodified against the shims of tests/ksim/shim and tests/shim,
# on a simulated AP host, under Check -- natively, as s390x binaries under
# qemu-s390x (big endian), and with gcov for `make coverage`.
#
#   make ksim            build the test binaries
#   make check-ksim      run them: results ksim-native, ksim-s390x and
#                        ksim-asan (native, AddressSanitizer + UBSan)
#   make coverage        line coverage of the kernel C; fails below 90%
#                        (also run by make check: result ksim-coverage)
#
# Each binary is built twice: CONFIG_ZCRYPT=1 (the AP bus exists) and
# CONFIG_ZCRYPT=0 (no AP bus: nothing is host-owned); both runs count.
# Natively and with ASan a third build, ksim-module, compiles the files
# as kvm.ko would be (-DMODULE: the queue driver is registered by
# kvm_arch_init(), not by a late_initcall).

KSIM_DIR     := $(BUILD)/ksim
KSIM_KDIR    := $(TOP)/kernel/arch/s390/kvm/ap-matrix
# what kvm.ko links (arch/s390/kvm/Makefile) -- the coverage subject:
# every kernel .c of ap-matrix/ but the userspace-only id-list parser and
# the KUnit suite
KSIM_KSRC    := $(filter-out %/idlist.c %kunit.c,$(sort \
		$(wildcard $(KSIM_KDIR)/*.c)))
KSIM_SRC     := $(KSIM_KSRC) $(KSIM_KDIR)/idlist.c $(TOP)/tests/shim/slab.c \
		$(TOP)/tests/shim/ap-bitmap-str.c \
		$(wildcard $(TOP)/tests/ksim/*.c)
KSIM_DEPS    := $(KSIM_SRC) $(wildcard $(TOP)/tests/ksim/*.h \
		$(TOP)/tests/ksim/shim/*.h $(TOP)/tests/ksim/shim/*/*.h \
		$(TOP)/tests/shim/*.h $(TOP)/tests/shim/linux/*.h $(KSIM_KDIR)/*.h) \
		$(UAPI)/asm/kvm_ap_matrix.h $(TOP)/mk/ksim.mk
KSIM_INC     := -I$(TOP)/tests/ksim/shim -I$(TOP)/tests/shim -I$(KSIM_KDIR) \
		-I$(UAPI)
# -Wno-unused-parameter: kernel style has callbacks that ignore arguments
KSIM_CFLAGS  := -std=gnu11 -g -Wall -Wextra -Wno-unused-parameter -Werror \
		$(KSIM_INC)
KSIM_S390X_CC := s390x-linux-gnu-gcc
KSIM_S390X_LIBDIR := /usr/lib/s390x-linux-gnu
KSIM_COV_MIN := 90
KSIM_CORE_TESTS := $(filter-out %/uapi-layout.c,$(wildcard $(TOP)/tests/core/*.c))

KSIM_SAN     := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer

.PHONY: ksim check-ksim check-ksim-native check-ksim-s390x check-ksim-asan \
	coverage check-ksim-coverage
BUILD_TARGETS += ksim
CHECK_TARGETS += check-ksim-native check-ksim-s390x check-ksim-asan \
	check-ksim-coverage

KSIM_NATIVE_BINS := ksim ksim-nozcrypt ksim-module
KSIM_S390X_BINS  := ksim ksim-nozcrypt

ksim: $(addprefix $(KSIM_DIR)/native/,$(KSIM_NATIVE_BINS)) \
      $(addprefix $(KSIM_DIR)/s390x/,$(KSIM_S390X_BINS)) \
      $(addprefix $(KSIM_DIR)/asan/,$(KSIM_NATIVE_BINS))

$(addprefix $(KSIM_DIR)/asan/,$(KSIM_NATIVE_BINS)): $(KSIM_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KSIM_SAN) $(KSIM_CFLAGS) \
		$(if $(findstring nozcrypt,$(@F)),-DCONFIG_ZCRYPT=0) \
		$(if $(findstring module,$(@F)),-DMODULE) \
		-o $@ $(KSIM_SRC) $$(pkg-config --cflags --libs check)

$(addprefix $(KSIM_DIR)/native/,$(KSIM_NATIVE_BINS)): $(KSIM_DEPS)
	@mkdir -p $(@D)
	$(CC) -O1 $(KSIM_CFLAGS) \
		$(if $(findstring nozcrypt,$(@F)),-DCONFIG_ZCRYPT=0) \
		$(if $(findstring module,$(@F)),-DMODULE) \
		-o $@ $(KSIM_SRC) $$(pkg-config --cflags --libs check)

# libcheck for s390x: Debian's check:s390x (static), see tests/core
$(KSIM_DIR)/s390x/ksim $(KSIM_DIR)/s390x/ksim-nozcrypt: $(KSIM_DEPS)
	@mkdir -p $(@D)
	@if [ ! -e $(KSIM_S390X_LIBDIR)/libcheck.a ] && \
	    [ -x $(TOP)/tests/core/install-s390x-check ]; then \
		$(TOP)/tests/core/install-s390x-check; fi
	$(KSIM_S390X_CC) -O1 $(KSIM_CFLAGS) -static -pthread \
		$(if $(findstring nozcrypt,$(@F)),-DCONFIG_ZCRYPT=0) \
		-o $@ $(KSIM_SRC) -L$(KSIM_S390X_LIBDIR) -lcheck -lsubunit \
		-lrt -lm

# $(1): suite name, $(2): command prefix, $(3): binary directory,
# $(4): the binaries
define ksim_run
	@mkdir -p $(BUILD)/results
	@set -e; out=$(BUILD)/results/$(1).result; : > $$out; \
	p=0; f=0; \
	for b in $(4); do \
		CK_DEFAULT_TIMEOUT=120 $(2) $(3)/$$b $(1)-$$b > $$out.tmp 2>&1 || true; \
		cat $$out.tmp >> $$out; \
		line=$$(grep -E '^$(1)-'$$b': [0-9]+ passed, [0-9]+ failed$$' $$out.tmp || true); \
		if [ -z "$$line" ]; then f=$$((f + 1)); echo "$(1)-$$b: did not finish" >> $$out; continue; fi; \
		p=$$((p + $$(echo "$$line" | sed 's/.* \([0-9]*\) passed.*/\1/'))); \
		f=$$((f + $$(echo "$$line" | sed 's/.* \([0-9]*\) failed.*/\1/'))); \
	done; rm -f $$out.tmp; \
	echo "$(1): $$p passed, $$f failed" >> $$out; tail -n 1 $$out; \
	[ $$f -eq 0 ]
endef

check-ksim: check-ksim-native check-ksim-s390x check-ksim-asan

check-ksim-native: $(addprefix $(KSIM_DIR)/native/,$(KSIM_NATIVE_BINS))
	$(call ksim_run,ksim-native,,$(KSIM_DIR)/native,$(KSIM_NATIVE_BINS))

check-ksim-s390x: $(addprefix $(KSIM_DIR)/s390x/,$(KSIM_S390X_BINS))
	$(call ksim_run,ksim-s390x,qemu-s390x,$(KSIM_DIR)/s390x,$(KSIM_S390X_BINS))

check-ksim-asan: $(addprefix $(KSIM_DIR)/asan/,$(KSIM_NATIVE_BINS))
	$(call ksim_run,ksim-asan,ASAN_OPTIONS=detect_leaks=1,$(KSIM_DIR)/asan,$(KSIM_NATIVE_BINS))

# cached: rerun only when a kernel file, a test or a shim changed (a failed
# run is not cached)
$(KSIM_DIR)/coverage.out: $(KSIM_DEPS) $(KSIM_CORE_TESTS)
	@mkdir -p $(@D); rm -f $@
	@if $(MAKE) --no-print-directory -f $(TOP)/Makefile coverage > $@.tmp 2>&1; \
	then echo "ksim-coverage: 1 passed, 0 failed" >> $@.tmp; mv $@.tmp $@; \
	else echo "ksim-coverage: 0 passed, 1 failed" >> $@.tmp; exit 1; fi

check-ksim-coverage:
	@mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile $(KSIM_DIR)/coverage.out; \
	f=$(KSIM_DIR)/coverage.out; [ -e $$f ] || f=$$f.tmp; \
	cp $$f $(BUILD)/results/ksim-coverage.result; grep '^coverage' $$f; \
	tail -n 1 $$f; tail -n 1 $$f | grep -q ' 0 failed$$'

# Coverage: -O0 --coverage builds of both ksim binaries and of the core's
# Check suites (tests/core, which exercise the parts of the core the VM
# ioctls do not reach), run, then lcov over the kernel files only (lcov
# merges the two configurations; gcovr 5 cannot, their functions sit on
# different lines).  Figures: ksim alone on all kernel files, ksim alone on
# the VM-ioctl files (vm.c, host.c, zeroize.c, grant.c), all suites on all
# kernel files; each must be >= $(KSIM_COV_MIN)%.
KSIM_OWN_KSRC   := $(addprefix $(KSIM_KDIR)/,vm.c host.c zeroize.c grant.c)

# $(1): tracefile, $(2): files -> "NN.N% (x of y lines)"
define ksim_cov_pct
$$(lcov -q --extract $(1) $(foreach f,$(2),'$(f)') -o $(1).sel > /dev/null 2>&1; \
   lcov --summary $(1).sel 2>&1 | sed -n 's/^ *lines\.*: *//p')
endef

coverage: $(KSIM_DEPS) $(KSIM_CORE_TESTS)
	@rm -rf $(KSIM_DIR)/cov; mkdir -p $(KSIM_DIR)/cov/z1 $(KSIM_DIR)/cov/z0 \
		$(KSIM_DIR)/cov/core
	@cd $(KSIM_DIR)/cov/z1 && $(CC) -O0 --coverage $(KSIM_CFLAGS) \
		-o ksim $(KSIM_SRC) $$(pkg-config --cflags --libs check) && \
		./ksim cov-z1 > run.log 2>&1 || { cat run.log; exit 1; }
	@cd $(KSIM_DIR)/cov/z0 && $(CC) -O0 --coverage -DCONFIG_ZCRYPT=0 \
		$(KSIM_CFLAGS) -o ksim $(KSIM_SRC) \
		$$(pkg-config --cflags --libs check) && \
		./ksim cov-z0 > run.log 2>&1 || { cat run.log; exit 1; }
	@if [ -n "$(KSIM_CORE_TESTS)" ]; then cd $(KSIM_DIR)/cov/core && \
		$(CC) -O0 --coverage -std=gnu11 -g -I$(TOP)/tests/shim \
		-I$(KSIM_KDIR) -I$(UAPI) -o core $(KSIM_CORE_TESTS) \
		$(addprefix $(KSIM_KDIR)/,mask.c crycb.c table.c idlist.c) \
		$(TOP)/tests/shim/slab.c $$(pkg-config --cflags --libs check) && \
		./core > run.log 2>&1 || { cat run.log; exit 1; }; fi
	@cd $(KSIM_DIR)/cov && \
	for z in z1 z0 core; do \
		[ -e $$z/run.log ] || continue; \
		lcov -q --capture --directory $$z --output-file $$z.info \
			> /dev/null 2>&1 || exit 1; \
	done; \
	lcov -q -a z1.info -a z0.info -o ksim.info > /dev/null 2>&1 && \
	if [ -e core.info ]; then lcov -q -a ksim.info -a core.info \
		-o all.info > /dev/null 2>&1; else cp ksim.info all.info; fi && \
	lcov -q --extract all.info $(foreach f,$(KSIM_KSRC),'$(f)') \
		-o kernel.info > /dev/null 2>&1 && \
	lcov --list kernel.info | tee coverage.txt && \
	ksim_all="$(call ksim_cov_pct,ksim.info,$(KSIM_KSRC))"; \
	ksim_own="$(call ksim_cov_pct,ksim.info,$(KSIM_OWN_KSRC))"; \
	all="$(call ksim_cov_pct,all.info,$(KSIM_KSRC))"; \
	echo "coverage, kernel C, ksim alone:              $$ksim_all"; \
	echo "coverage, VM-ioctl files (vm/host/zeroize/grant), ksim: $$ksim_own"; \
	echo "coverage, kernel C, ksim + core suites:      $$all"; \
	for v in "$$ksim_all" "$$ksim_own" "$$all"; do \
		pct=$${v%%%*}; \
		if [ -z "$$pct" ] || ! awk "BEGIN { exit !($$pct >= $(KSIM_COV_MIN)) }"; then \
			echo "coverage: $${pct:-?}% is below $(KSIM_COV_MIN)%"; exit 1; fi; \
	done; echo "coverage: OK (>= $(KSIM_COV_MIN)%)"
