# The test bed (issue 9): a Linux 6.1 s390x guest on qemu-system-s390x
# -accel tcg with emulated AP adapters (QEMU patches marked for testing in
# tests/testbed/qemu/, applied after the series generated from qemu-patches/), the real AP bus,
# zcrypt and kvm.ko under PROVE_LOCKING, tests run inside the guest.
#
#   make testbed         build QEMU, the series' QEMU for s390x (suite kvm),
#                        the test kernels and the initramfs
#   make check-testbed   boot and run; one result per suite and kernel,
#                        testbed-KERNEL-SUITE.result (split-results; the
#                        host's checks are suite "host"; the whole of each
#                        kernel stays in $(BUILD)/testbed/testbed-KERNEL.result)
#   make testbed-preholes   the same on the kernel as it landed before the
#                        holes issue (PREHOLES_REV, default ef96874): not in
#                        make check; it is expected to fail, the failing
#                        lines are the evidence (testbed-preholes.result)
#
# Trees live in $(CACHE)/testbed (own QEMU tree and build, own kernel build
# directories), never in the caches of mk/qemu.mk or mk/kernel.mk; all
# builds are incremental.  The run fails if the guest does not boot, a
# guest check fails, or the console shows a kernel warning.

TESTBED_RUN     := $(TOP)/scripts/testbed
TESTBED_KERNELS ?= pristine apmatrix

.PHONY: testbed check-testbed testbed-preholes
CHECK_TARGETS += check-testbed

testbed:
	@$(TESTBED_RUN) qemu
	@case " $(TESTBED_KERNELS) " in *" apmatrix "*) $(TESTBED_RUN) kvm-qemu ;; esac
	@for k in $(TESTBED_KERNELS); do \
		$(TESTBED_RUN) kernel $$k && $(TESTBED_RUN) initramfs $$k || exit 1; \
	done

check-testbed:
	@mkdir -p $(BUILD)/results $(BUILD)/testbed
	@$(TOP)/tests/testbed/host/console-check.test \
		> $(BUILD)/results/testbed-console-check.result; rc=$$?; \
	tail -n 1 $(BUILD)/results/testbed-console-check.result; \
	$(TOP)/tests/testbed/host/suite-check.test \
		> $(BUILD)/results/testbed-suite-check.result || rc=1; \
	tail -n 1 $(BUILD)/results/testbed-suite-check.result; \
	$(TOP)/tests/testbed/host/split-results.test \
		> $(BUILD)/results/testbed-split-results.result || rc=1; \
	tail -n 1 $(BUILD)/results/testbed-split-results.result; \
	$(MAKE) --no-print-directory -f $(TOP)/Makefile testbed || rc=1; \
	for k in $(TESTBED_KERNELS); do \
		r=$(BUILD)/testbed/testbed-$$k.result; rm -f $$r; \
		if [ $$rc -eq 0 ]; then $(TESTBED_RUN) run $$k || rc=1; fi; \
		[ -f $$r ] || echo "testbed-$$k: 0 passed, 1 failed (build)" > $$r; \
		rm -f $(BUILD)/results/testbed-$$k.result $(BUILD)/results/testbed-$$k-*.result; \
		$(TOP)/tests/testbed/host/split-results $$r $(BUILD)/results || rc=1; \
	done; exit $$rc

testbed-preholes:
	@mkdir -p $(BUILD)/results
	@$(TESTBED_RUN) qemu
	@$(TESTBED_RUN) kernel preholes && $(TESTBED_RUN) initramfs preholes
	@$(TESTBED_RUN) run preholes; rc=$$?; \
	cp $(BUILD)/testbed/testbed-preholes.result $(BUILD)/results/ 2>/dev/null; \
	grep '^not ok' $(BUILD)/testbed/testbed-preholes.result; exit $$rc
