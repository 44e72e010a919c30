# QEMU 7.2 series for the AP matrix machine properties.
#
#   make qemu-series   generate the git format-patch series from
#                      qemu-patches/ (series.conf, tree/, diffs/, the
#                      imported uapi header and id-list vectors) into
#                      $(BUILD)/qemu-series, authored by your git identity,
#                      git am-checked on the pristine tree, and every patch
#                      built in order (incremental ninja; result in
#                      $(BUILD)/results/qemu-series.result), as make
#                      kernel-series does for the kernel
#   make qemu          the whole series applied on Debian's QEMU source
#                      (cached): qemu-system-s390x + the unit test + the
#                      s390x qtests, and the KVM glue compiled in an s390x
#                      cross build with -Werror
#   make check-qemu    checkpatch on every patch, the machine built without
#                      KVM and without linux-headers/, the unit test, the
#                      new qtest, the s390x qtests
#
# Trees: $(CACHE)/qemu/pristine (Debian source as a git repo),
# $(CACHE)/qemu/s390x-sysroot, and $(QEMU_DIR)/{am,src,build,build-s390x}.
# QEMU_DIR is in the cache, so that a fresh clone (CI) reuses the build:
# the build tree moves from commit to commit of the series, rewriting only
# the files whose content differs, so ninja rebuilds only what changed.
# Use QEMU_DIR=$(BUILD)/qemu for a build private to one clone.

QEMU_DIR     ?= $(CACHE)/qemu-build
export QEMU_DIR
QEMU_STAMPS  := $(QEMU_DIR)/stamps
QEMU_SCRIPTS := $(TOP)/qemu-patches/scripts
QEMU_RUN     := $(QEMU_SCRIPTS)/qemu-series
QEMU_OUT     := $(BUILD)/qemu-series
# every file the series is made of (series.conf, tree/, diffs/, imports)
QEMU_INPUTS  := $(shell TOP=$(TOP) $(QEMU_SCRIPTS)/qemu-tree files 2>/dev/null)

.PHONY: qemu check-qemu qemu-series
BUILD_TARGETS += qemu
CHECK_TARGETS += check-qemu

qemu-series: $(QEMU_OUT)/.generated
	@mkdir -p $(BUILD)/results; rm -f $(QEMU_STAMPS)/applied
	@rc=0; $(QEMU_RUN) bisect || rc=1; \
	cp $(QEMU_DIR)/results/qemu-series.result $(BUILD)/results/ 2>/dev/null || \
		echo "qemu-series: 0 passed, 1 failed" > $(BUILD)/results/qemu-series.result; \
	exit $$rc

$(QEMU_OUT)/.generated: $(QEMU_INPUTS) $(QEMU_SCRIPTS)/qemu-tree \
		$(QEMU_SCRIPTS)/fetch-source
	@rm -f $@
	$(QEMU_RUN) generate
	@touch $@

qemu: $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross

# the series is reapplied only when its content changed: the stamp holds
# its checksum
$(QEMU_STAMPS)/applied: $(QEMU_OUT)/.generated $(QEMU_RUN)
	@mkdir -p $(@D)
	@sum=$$(cat $(QEMU_OUT)/*.patch | sha256sum | cut -d' ' -f1); \
	if [ "$$(cat $@ 2>/dev/null)" = "$$sum" ] && \
	   [ $(QEMU_RUN) -ot $@ ]; then \
		touch $@; \
	else \
		rm -f $@ $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross; \
		$(QEMU_RUN) apply && echo "$$sum" > $@; \
	fi

$(QEMU_STAMPS)/built: $(QEMU_STAMPS)/applied $(QEMU_RUN)
	@rm -f $@
	$(QEMU_RUN) build
	@touch $@

$(QEMU_STAMPS)/cross: $(QEMU_STAMPS)/applied $(QEMU_SCRIPTS)/s390x-sysroot \
		$(QEMU_SCRIPTS)/configure-cross $(QEMU_RUN)
	@rm -f $@
	$(QEMU_RUN) cross
	@touch $@

# Every suite writes its own result file; all run even if one fails.
QEMU_SUITES  := qemu-checkpatch qemu-nokvm qemu-unit \
	qemu-qtest qemu-qtest-s390x qemu-cross

check-qemu: $(QEMU_STAMPS)/built $(QEMU_STAMPS)/cross
	@mkdir -p $(BUILD)/results
	@rc=0; \
	$(QEMU_RUN) checkpatch > /dev/null || rc=1; \
	$(QEMU_RUN) nokvm > /dev/null || rc=1; \
	$(QEMU_RUN) qtest > /dev/null || rc=1; \
	for s in $(QEMU_SUITES); do \
		if [ -f $(QEMU_DIR)/results/$$s.result ]; then \
			cp $(QEMU_DIR)/results/$$s.result $(BUILD)/results/; \
		else echo "$$s: 0 passed, 1 failed" > $(BUILD)/results/$$s.result; rc=1; fi; \
		tail -n 1 $(BUILD)/results/$$s.result; \
	done; exit $$rc
