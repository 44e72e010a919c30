# The ownership table's benchmark (issue 12), not part of make all/check:
#
#   make bench   build tests/bench/bench-table.c (gcc -O2, the core's
#                table.c as the kernel compiles it, against tests/shim) and
#                run it: a table of request shape x number of guests (ours,
#                the vfio_ap-style model, ratio) on stdout, its data in
#                $(BUILD)/bench/table.dat and the plot $(BUILD)/bench/table.png
#                (gnuplot); then the release of 256 queues whose resets take
#                20 ms each, on ksim's virtual clock ($(BUILD)/bench/release.txt).
#
# Figures depend on the machine and its load: compare the ratios of one run.
# docs/performance.md has the figures of the last run and what they mean.

BENCH_OUT    := $(BUILD)/bench
BENCH_KDIR   := $(TOP)/kernel/arch/s390/kvm/ap-matrix
BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
		-I$(TOP)/tests/shim -I$(UAPI) -I$(BENCH_KDIR)
BENCH_SRC    := $(TOP)/tests/bench/bench-table.c \
		$(addprefix $(BENCH_KDIR)/,mask.c idlist.c table.c) \
		$(TOP)/tests/shim/slab.c

.PHONY: bench
bench: $(BENCH_OUT)/bench-table $(BENCH_OUT)/ksim-bench
	@command -v gnuplot > /dev/null || $(TOP)/scripts/install-deps $(TOP)/mk/deps
	$(BENCH_OUT)/bench-table $(BENCH_OUT)/table.dat | tee $(BENCH_OUT)/table.txt
	gnuplot -e "dat='$(BENCH_OUT)/table.dat'; out='$(BENCH_OUT)/table.png'" \
		$(TOP)/tests/bench/table.gp
	@echo "  PLOT    $(BENCH_OUT)/table.png"
	$(BENCH_OUT)/ksim-bench --bench | tee $(BENCH_OUT)/release.txt

$(BENCH_OUT)/bench-table: $(BENCH_SRC) $(BENCH_KDIR)/apmx.h $(TOP)/mk/bench.mk
	@mkdir -p $(@D); echo "  CC      $@"
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRC)

# ksim as the tests build it, optimised like a kernel (-O2); mk/ksim.mk is
# read after this file, hence the second expansion of its file lists
.SECONDEXPANSION:
$(BENCH_OUT)/ksim-bench: $$(KSIM_DEPS)
	@mkdir -p $(@D); echo "  CC      $@"
	$(CC) -O2 $(KSIM_CFLAGS) -o $@ $(KSIM_SRC) $$(pkg-config --cflags --libs check)
