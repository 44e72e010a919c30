# apmatrix: KVM/s390 AP-matrix passthrough without mdev.
#
#   make         install what is missing (Debian packages), build everything
#   make check   the same, then run every test
#
# Upstream trees and build output never enter the repo: they live in
# $(CACHE) (large, shared between clones) and $(BUILD) (this clone).

TOP    := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE  ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/apmatrix
BUILD  ?= $(TOP)/build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
UAPI   := $(TOP)/uapi
export TOP CACHE BUILD JOBS UAPI

.PHONY: all check deps clean
all: deps

# Every component adds itself to these in its mk/*.mk fragment.
BUILD_TARGETS :=
CHECK_TARGETS :=

include $(sort $(wildcard $(TOP)/mk/*.mk))

all: $(BUILD_TARGETS)

# The userspace Check suites run last so that the run ends with their
# summaries (see .ci/run).  Every target runs even when an earlier one
# failed, so that one broken suite does not hide the state of the others;
# the failed targets are named at the end and make check fails.
check: all
	@rm -rf $(BUILD)/results; mkdir -p $(BUILD)/results
	@failed=; for t in $(CHECK_TARGETS); do \
		$(MAKE) --no-print-directory -f $(TOP)/Makefile $$t || \
			failed="$$failed $$t"; \
	done; \
	$(TOP)/scripts/check-summary $(BUILD)/results || failed="$$failed summary"; \
	if [ -n "$$failed" ]; then \
		echo "make check: failed targets:$$failed" >&2; exit 1; \
	fi

deps:
	@$(TOP)/scripts/install-deps $(TOP)/mk/deps

clean:
	rm -rf $(BUILD)
