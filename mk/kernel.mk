# Linux 6.1 kernel series for s390x (issue 3): assembly, build checks,
# the git format-patch series, KUnit under qemu-system-s390x.
#
#   make kernel          assemble $(BUILD)/kernel/src, W=1+sparse build vs
#                        the pristine baseline, config matrix, kernel-doc,
#                        selftest + sample VMM, checkpatch --strict
#   make kernel-series   $(BUILD)/kernel-series/: format-patch + cover letter,
#                        git am check, every patch in order builds
#   make check-kunit     KUnit suite on s390x under qemu-system-s390x
#
# Stamps make reruns cheap: each target reruns only when one of our kernel
# inputs changed.

KERNEL_STAMPS := $(BUILD)/kernel/stamps
KERNEL_INPUTS := $(shell find $(TOP)/kernel $(TOP)/uapi -type f \
	! -name '*.o' ! -name '.*' 2>/dev/null) \
	$(TOP)/scripts/kernel-tree $(TOP)/scripts/kernel-check \
	$(TOP)/scripts/kernel-kunit $(TOP)/scripts/kernel-rst-check \
	$(TOP)/mk/kernel.mk
KUNIT_DIR ?= $(CACHE)/kernel-kunit

.PHONY: kernel kernel-assemble kernel-series check-kernel-build \
	check-kernel-series check-kunit
BUILD_TARGETS += kernel
CHECK_TARGETS += check-kernel-build check-kunit

kernel-assemble:
	@$(TOP)/scripts/kernel-tree assemble

kernel: $(KERNEL_STAMPS)/build.ok

$(KERNEL_STAMPS)/build.ok: $(KERNEL_INPUTS)
	@mkdir -p $(@D); rm -f $@
	$(TOP)/scripts/kernel-check build
	@touch $@

kernel-series: $(KERNEL_STAMPS)/series.ok

$(KERNEL_STAMPS)/series.ok: $(KERNEL_INPUTS)
	@mkdir -p $(@D); rm -f $@
	$(TOP)/scripts/kernel-check series
	@touch $@

# The result files are written from the step lists of the runs above.
check-kernel-build:
	@mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile kernel; rc=$$?; \
	if [ -f $(BUILD)/kernel/kernel-build.steps ]; then \
		cp $(BUILD)/kernel/kernel-build.steps $(BUILD)/results/kernel-build.result; \
	else echo "kernel-build: 0 passed, 1 failed" > $(BUILD)/results/kernel-build.result; fi; \
	tail -n1 $(BUILD)/results/kernel-build.result; exit $$rc

check-kernel-series:
	@mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile kernel-series; rc=$$?; \
	if [ -f $(BUILD)/kernel/kernel-series.steps ]; then \
		cp $(BUILD)/kernel/kernel-series.steps $(BUILD)/results/kernel-series.result; \
	else echo "kernel-series: 0 passed, 1 failed" > $(BUILD)/results/kernel-series.result; fi; \
	tail -n1 $(BUILD)/results/kernel-series.result; exit $$rc

check-kunit: $(KERNEL_STAMPS)/kunit.ok
	@mkdir -p $(BUILD)/results
	@cp $(BUILD)/kernel/kunit.result $(BUILD)/results/kunit.result
	@tail -n1 $(BUILD)/results/kunit.result

$(KERNEL_STAMPS)/kunit.ok: $(KERNEL_INPUTS)
	@mkdir -p $(@D) $(BUILD)/results; rm -f $@
	@KUNIT_DIR=$(KUNIT_DIR) $(TOP)/scripts/kernel-kunit || { \
		cp $(BUILD)/kernel/kunit.result $(BUILD)/results/kunit.result 2>/dev/null; exit 1; }
	@touch $@
