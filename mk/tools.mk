# tools/apmatrix: apmatrix(8), the administrator's tool (issue 11), in C,
# linked with the core's id-list parser and formatter
# (kernel/arch/s390/kvm/ap-matrix/idlist.c and mask.c, compiled unchanged
# against tests/shim), and its CLI tests (tests/tools) against a simulated
# sysfs tree and a fake /dev/kvm (LD_PRELOAD).
#
#   make tools          build $(BUILD)/tools/apmatrix (-Wall -Wextra -Werror)
#   make check-tools    run tests/tools/run-tests: result tools-cli
#   make check-tools-asan   the same tests against an AddressSanitizer +
#                       UBSan build (leaks count): result tools-cli-asan
#   make install        install apmatrix(8), apmatrix.conf(5), the libvirt
#                       wrapper apmatrix-qemu, the systemd units, the
#                       socket's group (sysusers.d) and an example
#                       reservation: $(DESTDIR) + sbindir, mandir,
#                       libexecdir/apmatrix, systemdunitdir, sysusersdir,
#                       docdir
#                       (prefix=/usr/local unless given)
#   TOOLS_V=1           show the compiler command lines

TOOLS_SRC_DIR := $(TOP)/tools/apmatrix
TOOLS_TDIR    := $(TOP)/tests/tools
TOOLS_OUT     := $(BUILD)/tools
TOOLS_CORE    := $(TOP)/kernel/arch/s390/kvm/ap-matrix
TOOLS_NAMES   := $(patsubst $(TOOLS_SRC_DIR)/%.c,%,$(wildcard $(TOOLS_SRC_DIR)/*.c))
TOOLS_Q       := $(if $(TOOLS_V),,@)
TOOLS_WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
		 -Wstrict-prototypes -Wformat=2 -Wundef
TOOLS_INC     := -I$(TOP)/tests/shim -I$(UAPI) -I$(TOOLS_CORE)
TOOLS_CFLAGS  := -std=gnu11 -O2 -g -MMD -MP $(TOOLS_WARN) $(TOOLS_INC)
TOOLS_OBJS    := $(TOOLS_NAMES:%=$(TOOLS_OUT)/obj/%.o) \
		 $(TOOLS_OUT)/obj/core-idlist.o $(TOOLS_OUT)/obj/core-mask.o
TOOLS_PRELOAD := $(TOOLS_OUT)/fakekvm.so $(TOOLS_OUT)/failwrite.so \
		 $(TOOLS_OUT)/apbus-sim.so \
		 $(TOOLS_OUT)/idlist-vectors

prefix  ?= /usr/local
sbindir ?= $(prefix)/sbin
mandir  ?= $(prefix)/share/man
libexecdir ?= $(prefix)/libexec
systemdunitdir ?= $(prefix)/lib/systemd/system
sysusersdir ?= $(prefix)/lib/sysusers.d
docdir  ?= $(prefix)/share/doc/apmatrix

TOOLS_SAN     := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		 -fno-omit-frame-pointer
TOOLS_ASAN_OBJS := $(TOOLS_OBJS:$(TOOLS_OUT)/obj/%=$(TOOLS_OUT)/asan/%)

.PHONY: tools check-tools check-tools-asan install install-tools
BUILD_TARGETS += tools
CHECK_TARGETS += check-tools check-tools-asan

tools: $(TOOLS_OUT)/apmatrix $(TOOLS_OUT)/asan/apmatrix $(TOOLS_PRELOAD)

$(TOOLS_OUT)/obj/%.o: $(TOOLS_SRC_DIR)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tools/apmatrix/$(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) -c $< -o $@
$(TOOLS_OUT)/obj/core-%.o: $(TOOLS_CORE)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tools core $(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) -c $< -o $@
$(TOOLS_OUT)/asan/%.o: $(TOOLS_SRC_DIR)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      asan tools/apmatrix/$(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) $(TOOLS_SAN) -c $< -o $@
$(TOOLS_OUT)/asan/core-%.o: $(TOOLS_CORE)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      asan tools core $(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) $(TOOLS_SAN) -c $< -o $@
-include $(wildcard $(TOOLS_OUT)/obj/*.d $(TOOLS_OUT)/asan/*.d)

$(TOOLS_OUT)/apmatrix: $(TOOLS_OBJS)
	@echo "  LD      $@"
	$(TOOLS_Q)$(CC) -o $@ $^
$(TOOLS_OUT)/asan/apmatrix: $(TOOLS_ASAN_OBJS)
	@echo "  LD      $@"
	$(TOOLS_Q)$(CC) $(TOOLS_SAN) -o $@ $^

# the test doubles: fakekvm formats its log with the core, too
$(TOOLS_OUT)/fakekvm.so: $(TOOLS_TDIR)/fakekvm.c $(TOOLS_CORE)/idlist.c \
		$(TOOLS_CORE)/mask.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/fakekvm.so"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(TOOLS_INC) \
		-shared -fPIC -o $@ $(filter %.c,$^) -ldl
# the shared id-list vectors, run through the tool (tests/tools/run-tests)
$(TOOLS_OUT)/idlist-vectors: $(TOOLS_TDIR)/idlist-vectors.c \
		$(TOOLS_CORE)/apmx-idlist-vectors.h $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/idlist-vectors"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g $(TOOLS_WARN) -I$(TOOLS_CORE) \
		-o $@ $<
$(TOOLS_OUT)/apbus-sim.so: $(TOOLS_TDIR)/apbus-sim.c \
		$(TOP)/tests/shim/ap-bitmap-str.c $(TOP)/tests/shim/ap-bitmap-str.h \
		$(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/apbus-sim.so"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -shared -fPIC \
		-I$(TOP)/tests/shim -o $@ $(filter %.c,$^) -ldl
$(TOOLS_OUT)/failwrite.so: $(TOOLS_TDIR)/failwrite.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/failwrite.so"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -shared -fPIC \
		-o $@ $< -ldl

install: install-tools
install-tools: $(TOOLS_OUT)/apmatrix
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man8 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(libexecdir)/apmatrix \
		$(DESTDIR)$(systemdunitdir) $(DESTDIR)$(docdir)/examples \
		$(DESTDIR)$(sysusersdir)
	install -m 0755 $(TOOLS_OUT)/apmatrix $(DESTDIR)$(sbindir)/apmatrix
	install -m 0644 $(TOOLS_SRC_DIR)/apmatrix.8 $(DESTDIR)$(mandir)/man8/
	install -m 0644 $(TOOLS_SRC_DIR)/apmatrix.conf.5 \
		$(DESTDIR)$(mandir)/man5/
	sed 's|"$${APMATRIX:-apmatrix}"|"$${APMATRIX:-$(sbindir)/apmatrix}"|' \
		$(TOOLS_SRC_DIR)/apmatrix-qemu > \
		$(DESTDIR)$(libexecdir)/apmatrix/apmatrix-qemu
	chmod 0755 $(DESTDIR)$(libexecdir)/apmatrix/apmatrix-qemu
	sed 's|@sbindir@|$(sbindir)|g' $(TOOLS_SRC_DIR)/systemd/apmatrix.service \
		> $(DESTDIR)$(systemdunitdir)/apmatrix.service
	install -m 0644 $(TOOLS_SRC_DIR)/systemd/apmatrix.socket \
		$(DESTDIR)$(systemdunitdir)/
	install -m 0644 $(TOOLS_SRC_DIR)/systemd/apmatrix.sysusers \
		$(DESTDIR)$(sysusersdir)/apmatrix.conf
	install -m 0644 $(TOOLS_SRC_DIR)/examples/guest1.conf \
		$(TOOLS_SRC_DIR)/examples/libvirt-guest1.xml \
		$(DESTDIR)$(docdir)/examples/

# $(1): suite name, $(2): environment, $(3): binary, $(4): DESTDIR or empty
define tools_run
	@mkdir -p $(BUILD)/results
	@$(2) $(TOOLS_TDIR)/run-tests $(3) $(TOOLS_OUT) $(TOOLS_OUT)/work-$(1) \
		$(4) > $(BUILD)/results/$(1).result.tmp 2>&1; \
	rc=$$?; out=$(BUILD)/results/$(1).result; \
	sed '$$s/^tools-cli:/$(1):/' $$out.tmp > $$out; rm -f $$out.tmp; \
	grep -E '^(FAIL|SKIP)' $$out; tail -n 1 $$out; \
	tail -n 1 $$out | grep -qE '^$(1): [0-9]+ passed, 0 failed$$' && \
	[ $$rc -eq 0 ]
endef

check-tools: $(TOOLS_OUT)/apmatrix $(TOOLS_PRELOAD)
	@rm -rf $(TOOLS_OUT)/dest
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile install-tools \
		DESTDIR=$(TOOLS_OUT)/dest prefix=/usr > /dev/null
	$(call tools_run,tools-cli,,$(TOOLS_OUT)/apmatrix,$(TOOLS_OUT)/dest)

# the preloaded test doubles are not sanitized: ASan need not come first
check-tools-asan: $(TOOLS_OUT)/asan/apmatrix $(TOOLS_PRELOAD)
	$(call tools_run,tools-cli-asan,ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1,$(TOOLS_OUT)/asan/apmatrix,)
