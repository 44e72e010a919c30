# The portable AP-matrix core (kernel/arch/s390/kvm/ap-matrix/{mask,idlist,
# crycb,table}.c) in userspace, issue 2: built against tests/shim, tested by
# the Check suites of tests/core natively and as a static s390x binary under
# qemu-s390x (big endian).
#
#   make core            build: the core with -Wall -Wextra -Werror (native
#                        and s390x), the uapi layout asserts on x86-64, i386,
#                        s390x and s390 (31-bit), both test binaries, and
#                        checkpatch --strict / kernel-doc of the core files
#                        (0 errors, 0 warnings)
#   make check-core      run them: results core-native, core-s390x and
#                        core-asan (native, AddressSanitizer + UBSan)
#   make check-core-native / check-core-s390x / check-core-asan   one of them
#   make coverage-core   line coverage of the core under the suites (gcovr),
#                        fails below CORE_COV_MIN percent
#   CORE_V=1             show the compiler command lines
#
# libcheck for s390x comes from Debian's multiarch check:s390x (static
# libraries), installed on first use by tests/core/install-s390x-check.

CORE_DIR     := $(TOP)/kernel/arch/s390/kvm/ap-matrix
CORE_NAMES   := mask idlist crycb table
CORE_TDIR    := $(TOP)/tests/core
CORE_SHIM    := $(TOP)/tests/shim
CORE_OUT     := $(BUILD)/core
CORE_TNAMES  := $(patsubst $(CORE_TDIR)/%.c,%,$(filter-out \
		$(CORE_TDIR)/uapi-layout.c,$(wildcard $(CORE_TDIR)/*.c)))
CORE_S390X_CC  ?= s390x-linux-gnu-gcc
CORE_QEMU      ?= qemu-s390x
CORE_S390X_LIB := /usr/lib/s390x-linux-gnu
CORE_COV_MIN   ?= 95
CORE_Q := $(if $(CORE_V),,@)

# What the issue asks of the core (-Wall -Wextra -Werror) plus what the
# kernel's W=1 adds that applies to userspace.
CORE_WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
		-Wstrict-prototypes -Wmissing-declarations -Wformat=2 \
		-Wold-style-definition -Wundef
CORE_INC     := -I$(CORE_SHIM) -I$(UAPI) -I$(CORE_DIR)
CORE_CFLAGS  := -std=gnu11 -O2 -g -MMD -MP $(CORE_WARN) $(CORE_INC)
# Check's macros trip -Wformat=2 / -Wundef in its own header.
CORE_TCFLAGS := -std=gnu11 -O2 -g -MMD -MP -Wall -Wextra -Werror \
		$(CORE_INC)

.PHONY: core check-core check-core-native check-core-s390x check-core-asan \
	coverage-core
BUILD_TARGETS += core
CHECK_TARGETS += check-core

core: $(CORE_OUT)/native/core-tests $(CORE_OUT)/s390x/core-tests \
	$(CORE_OUT)/asan/core-tests \
	$(CORE_OUT)/uapi-layout.ok $(CORE_OUT)/checkpatch.ok

# $(1): native, s390x or asan, $(2): compiler, $(3): extra flags
define core_arch_rules
$(CORE_OUT)/$(1)/core/%.o: $(CORE_DIR)/%.c $(TOP)/mk/userspace.mk
	@mkdir -p $$(@D); echo "  CC      $(1) $$(notdir $$<)"
	$(CORE_Q)$(2) $(CORE_CFLAGS) $(3) -c $$< -o $$@
$(CORE_OUT)/$(1)/tests/%.o: $(CORE_TDIR)/%.c $(TOP)/mk/userspace.mk
	@mkdir -p $$(@D); echo "  CC      $(1) tests/core/$$(notdir $$<)"
	$(CORE_Q)$(2) $(CORE_TCFLAGS) $(3) -c $$< -o $$@
$(CORE_OUT)/$(1)/shim/%.o: $(CORE_SHIM)/%.c $(TOP)/mk/userspace.mk
	@mkdir -p $$(@D); echo "  CC      $(1) tests/shim/$$(notdir $$<)"
	$(CORE_Q)$(2) $(CORE_CFLAGS) $(3) -c $$< -o $$@
CORE_OBJS_$(1) := $(CORE_NAMES:%=$(CORE_OUT)/$(1)/core/%.o) \
	$(CORE_TNAMES:%=$(CORE_OUT)/$(1)/tests/%.o) \
	$(CORE_OUT)/$(1)/shim/slab.o
endef
CORE_SAN := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
$(eval $(call core_arch_rules,native,$(CC)))
$(eval $(call core_arch_rules,s390x,$(CORE_S390X_CC)))
$(eval $(call core_arch_rules,asan,$(CC),$(CORE_SAN)))
-include $(wildcard $(CORE_OUT)/*/*/*.d)

$(CORE_OUT)/native/core-tests: $(CORE_OBJS_native)
	@echo "  LD      $@"
	$(CORE_Q)$(CC) -o $@ $^ $$(pkg-config --libs check)

$(CORE_OUT)/asan/core-tests: $(CORE_OBJS_asan)
	@echo "  LD      $@"
	$(CORE_Q)$(CC) $(CORE_SAN) -o $@ $^ $$(pkg-config --libs check)

# Static: qemu-s390x then needs no s390x loader or shared libraries.
$(CORE_OUT)/s390x/lib/libcheck.a:
	$(CORE_TDIR)/install-s390x-check
	@mkdir -p $(@D)
	cp $(CORE_S390X_LIB)/libcheck.a $(CORE_S390X_LIB)/libsubunit.a $(@D)/

$(CORE_OUT)/s390x/core-tests: $(CORE_OBJS_s390x) \
		$(CORE_OUT)/s390x/lib/libcheck.a
	@echo "  LD      $@"
	$(CORE_Q)$(CORE_S390X_CC) -static -pthread -o $@ $(CORE_OBJS_s390x) \
		-L$(CORE_OUT)/s390x/lib -lcheck -lsubunit -lrt -lm

# The uapi structures: same layout on 64/32-bit, little and big endian.
CORE_LAYOUT_ABIS := "$(CC)" "$(CC) -m32 -idirafter /usr/include/x86_64-linux-gnu" \
		"$(CORE_S390X_CC)" "$(CORE_S390X_CC) -m31"
$(CORE_OUT)/uapi-layout.ok: $(CORE_TDIR)/uapi-layout.c \
		$(UAPI)/asm/kvm_ap_matrix.h $(TOP)/mk/userspace.mk
	@mkdir -p $(@D)
	@set -e; for cc in $(CORE_LAYOUT_ABIS); do \
		echo "  LAYOUT  $$cc"; \
		$$cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I$(UAPI) $<; \
	done
	@touch $@

# checkpatch --strict and kernel-doc from the pristine 6.1 tree, run from a
# scratch directory (checkpatch writes a cache file into the current one).
# Any ERROR or WARNING fails; the CHECKs left are the two "macro argument
# reuse" notes of apmx_for_each_id(), inherent to a for_each macro.
CORE_KSRC  := $(CACHE)/linux-source-6.1
CORE_KFILES := $(CORE_DIR)/apmx.h $(CORE_NAMES:%=$(CORE_DIR)/%.c)
$(CORE_OUT)/checkpatch.ok: $(CORE_KFILES) $(TOP)/mk/userspace.mk
	@[ -x $(CORE_KSRC)/scripts/checkpatch.pl ] || \
		$(TOP)/scripts/kernel-tree pristine
	@mkdir -p $(CORE_OUT)/checkpatch; rm -f $@
	@set -e; cd $(CORE_OUT)/checkpatch; bad=0; \
	for f in $(CORE_KFILES); do \
		$(CORE_KSRC)/scripts/checkpatch.pl --no-tree --strict \
			--show-types -f $$f > out.txt 2>&1 || true; \
		sum=$$(grep '^total:' out.txt || echo "no summary"); \
		echo "  CHKPATCH $${f#$(TOP)/}: $$sum"; \
		if grep -qE '^(ERROR|WARNING)' out.txt || \
		   ! grep -q '^total: 0 errors, 0 warnings' out.txt; then \
			cat out.txt; bad=1; fi; \
	done; \
	$(CORE_KSRC)/scripts/kernel-doc -none -Werror \
		$(CORE_NAMES:%=$(CORE_DIR)/%.c) || bad=1; \
	echo "  KDOC    $(CORE_NAMES:%=%.c)"; \
	[ $$bad -eq 0 ]
	@touch $@

check-core:
	@rc=0; \
	$(MAKE) --no-print-directory -f $(TOP)/Makefile check-core-native || rc=1; \
	$(MAKE) --no-print-directory -f $(TOP)/Makefile check-core-s390x || rc=1; \
	$(MAKE) --no-print-directory -f $(TOP)/Makefile check-core-asan || rc=1; \
	exit $$rc

check-core-native: $(CORE_OUT)/native/core-tests $(CORE_OUT)/uapi-layout.ok
	@mkdir -p $(BUILD)/results
	@$(CORE_TDIR)/run-suite core-native $(BUILD)/results/core-native.result \
		$(CORE_OUT)/native/core-tests

# qemu-s390x without -L: the binary is static (see build-notes.md).
check-core-s390x: $(CORE_OUT)/s390x/core-tests $(CORE_OUT)/uapi-layout.ok
	@mkdir -p $(BUILD)/results
	@CK_TIMEOUT_MULTIPLIER=10 $(CORE_TDIR)/run-suite core-s390x \
		$(BUILD)/results/core-s390x.result \
		$(CORE_QEMU) $(CORE_OUT)/s390x/core-tests

# Sanitizers: any invalid access or undefined behaviour aborts the test.
check-core-asan: $(CORE_OUT)/asan/core-tests
	@mkdir -p $(BUILD)/results
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(CORE_TDIR)/run-suite core-asan $(BUILD)/results/core-asan.result \
		$(CORE_OUT)/asan/core-tests

# Coverage: the core at -O0 with --coverage, the tests as usual.
CORE_COV := $(CORE_OUT)/coverage
coverage-core: $(CORE_NAMES:%=$(CORE_DIR)/%.c) $(CORE_OBJS_native)
	@rm -rf $(CORE_COV); mkdir -p $(CORE_COV)/obj
	@set -e; cd $(CORE_COV)/obj; for n in $(CORE_NAMES); do \
		$(CC) -std=gnu11 -O0 -g --coverage $(CORE_WARN) $(CORE_INC) \
			-c $(CORE_DIR)/$$n.c -o $$n.o; done; \
	$(CC) --coverage -o core-tests *.o \
		$(filter-out $(CORE_OUT)/native/core/%,$(CORE_OBJS_native)) \
		$$(pkg-config --libs check); \
	./core-tests > ../run.log 2>&1 || { cat ../run.log; exit 1; }; \
	tail -n 1 ../run.log
	@cd $(CORE_COV) && gcovr --root $(TOP) --object-directory obj \
		$(foreach n,$(CORE_NAMES),--filter '$(CORE_DIR)/$(n).c') \
		--html-details -o index.html obj > /dev/null
	@cd $(CORE_COV) && gcovr --root $(TOP) --object-directory obj \
		$(foreach n,$(CORE_NAMES),--filter '$(CORE_DIR)/$(n).c') \
		--fail-under-line $(CORE_COV_MIN) obj | tee coverage.txt; \
	rc=$$?; echo "coverage-core: report in $(CORE_COV)/coverage.txt and index.html"; \
	exit $$rc
