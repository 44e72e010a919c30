# QEMU 7.2 series for the AP matrix machine properties (issue 5).
#
#   make qemu                 fetch Debian's QEMU source (cached), git am the
#                             series on a pristine copy, build
#                             qemu-system-s390x + the s390x qtests, and
#                             compile the KVM glue in an s390x cross build
#                             with -Werror
#   make check-qemu           drift of the imported files, checkpatch on
#                             every patch, the new qtest, the s390x qtests
#   make qemu-update-imports  rewrite the imported files (uapi header,
#                             apmatrix core) inside the series from the repo
#
# Trees: $(CACHE)/qemu/pristine (Debian source as a git repo),
# $(CACHE)/qemu/s390x-sysroot, and $(QEMU_DIR)/{am,src,build,build-s390x}.
# QEMU_DIR is in the cache, so that a fresh clone (CI) reuses the build:
# the series is reapplied when qemu-patches/series is newer than the stamp,
# and since only files whose content changed are rewritten, ninja rebuilds
# only what the series changed.  Checks always rerun in a fresh clone.
# Use QEMU_DIR=$(BUILD)/qemu for a build private to one clone.

QEMU_DIR     ?= $(CACHE)/qemu-build
export QEMU_DIR
QEMU_STAMPS  := $(QEMU_DIR)/stamps
QEMU_SCRIPTS := $(TOP)/qemu-patches/scripts
QEMU_SERIES  := $(sort $(wildcard $(TOP)/qemu-patches/series/*.patch))
QEMU_RUN     := $(QEMU_SCRIPTS)/qemu-series

.PHONY: qemu check-qemu qemu-update-imports
BUILD_TARGETS += qemu
CHECK_TARGETS += check-qemu

qemu: $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross

$(QEMU_STAMPS)/applied: $(QEMU_SERIES) $(QEMU_SCRIPTS)/fetch-source
	@mkdir -p $(@D); rm -f $@ $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross
	$(QEMU_RUN) apply
	@touch $@

$(QEMU_STAMPS)/built: $(QEMU_STAMPS)/applied $(QEMU_RUN)
	@rm -f $@
	$(QEMU_RUN) build
	@touch $@

$(QEMU_STAMPS)/cross: $(QEMU_STAMPS)/applied $(QEMU_SCRIPTS)/s390x-sysroot \
		$(QEMU_SCRIPTS)/configure-cross $(QEMU_RUN)
	@rm -f $@
	$(QEMU_RUN) cross
	@touch $@

# Every suite writes its own result file; all run even if one fails.  A
# rerun with nothing changed (series, imported repo files, build) reuses
# the results of the last passing run.
QEMU_IMPORTS := $(TOP)/uapi/asm/kvm_ap_matrix.h \
	$(addprefix $(TOP)/kernel/arch/s390/kvm/ap-matrix/,apmx.h idlist.c mask.c)
QEMU_SUITES  := qemu-drift qemu-checkpatch qemu-qtest qemu-qtest-s390x qemu-cross

check-qemu: $(QEMU_STAMPS)/checked
	@mkdir -p $(BUILD)/results
	@for s in $(QEMU_SUITES); do \
		cp $(QEMU_DIR)/results/$$s.result $(BUILD)/results/; \
		tail -n 1 $(BUILD)/results/$$s.result; \
	done

$(QEMU_STAMPS)/checked: $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross \
		$(QEMU_IMPORTS) $(QEMU_RUN)
	@rm -f $@; mkdir -p $(BUILD)/results
	@rc=0; \
	$(QEMU_RUN) drift || rc=1; \
	$(QEMU_RUN) checkpatch || rc=1; \
	$(QEMU_RUN) qtest || rc=1; \
	for s in $(QEMU_SUITES); do \
		if [ -f $(QEMU_DIR)/results/$$s.result ]; then \
			cp $(QEMU_DIR)/results/$$s.result $(BUILD)/results/; \
		else echo "$$s: 0 passed, 1 failed" > $(BUILD)/results/$$s.result; rc=1; fi; \
	done; [ $$rc -eq 0 ] && touch $@; exit $$rc

qemu-update-imports:
	@$(QEMU_SCRIPTS)/update-imports $(TOP)
