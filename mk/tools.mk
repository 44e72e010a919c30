# tools/apmatrix: apmatrix(8), the administrator's tool (issue 11), in C,
# linked with the core's id-list parser and formatter
# (kernel/arch/s390/kvm/ap-matrix/idlist.c and mask.c, compiled unchanged
# against tests/shim), and its CLI tests (tests/tools) against a simulated
# sysfs tree and a fake /dev/kvm (LD_PRELOAD).
#
#   make tools          build $(BUILD)/tools/apmatrix (-Wall -Wextra -Werror)
#   make check-tools    run tests/tools/run-tests: result tools-cli
#   make install        install apmatrix(8), apmatrix.conf(5), the libvirt
#                       wrapper apmatrix-qemu, the systemd units and an
#                       example reservation: $(DESTDIR) + sbindir, mandir,
#                       libexecdir/apmatrix, systemdunitdir, docdir
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
TOOLS_PRELOAD := $(TOOLS_OUT)/fakekvm.so $(TOOLS_OUT)/failwrite.so

prefix  ?= /usr/local
sbindir ?= $(prefix)/sbin
mandir  ?= $(prefix)/share/man
libexecdir ?= $(prefix)/libexec
systemdunitdir ?= $(prefix)/lib/systemd/system
docdir  ?= $(prefix)/share/doc/apmatrix

.PHONY: tools check-tools install install-tools
BUILD_TARGETS += tools
CHECK_TARGETS += check-tools

tools: $(TOOLS_OUT)/apmatrix $(TOOLS_PRELOAD)

$(TOOLS_OUT)/obj/%.o: $(TOOLS_SRC_DIR)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tools/apmatrix/$(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) -c $< -o $@
$(TOOLS_OUT)/obj/core-%.o: $(TOOLS_CORE)/%.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tools core $(notdir $<)"
	$(TOOLS_Q)$(CC) $(TOOLS_CFLAGS) -c $< -o $@
-include $(wildcard $(TOOLS_OUT)/obj/*.d)

$(TOOLS_OUT)/apmatrix: $(TOOLS_OBJS)
	@echo "  LD      $@"
	$(TOOLS_Q)$(CC) -o $@ $^

# the test doubles: fakekvm formats its log with the core, too
$(TOOLS_OUT)/fakekvm.so: $(TOOLS_TDIR)/fakekvm.c $(TOOLS_CORE)/idlist.c \
		$(TOOLS_CORE)/mask.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/fakekvm.so"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror $(TOOLS_INC) \
		-shared -fPIC -o $@ $(filter %.c,$^) -ldl
$(TOOLS_OUT)/failwrite.so: $(TOOLS_TDIR)/failwrite.c $(TOP)/mk/tools.mk
	@mkdir -p $(@D); echo "  CC      tests/tools/failwrite.so"
	$(TOOLS_Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -shared -fPIC \
		-o $@ $< -ldl

install: install-tools
install-tools: $(TOOLS_OUT)/apmatrix
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man8 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(libexecdir)/apmatrix \
		$(DESTDIR)$(systemdunitdir) $(DESTDIR)$(docdir)/examples
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
	install -m 0644 $(TOOLS_SRC_DIR)/examples/guest1.conf \
		$(TOOLS_SRC_DIR)/examples/libvirt-guest1.xml \
		$(DESTDIR)$(docdir)/examples/

check-tools: $(TOOLS_OUT)/apmatrix $(TOOLS_PRELOAD)
	@mkdir -p $(BUILD)/results
	@rm -rf $(TOOLS_OUT)/dest
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile install-tools \
		DESTDIR=$(TOOLS_OUT)/dest prefix=/usr > /dev/null
	@$(TOOLS_TDIR)/run-tests $(TOOLS_OUT)/apmatrix $(TOOLS_OUT) \
		$(TOOLS_OUT)/work $(TOOLS_OUT)/dest \
		> $(BUILD)/results/tools-cli.result 2>&1; \
	rc=$$?; grep -E '^(FAIL|SKIP)' $(BUILD)/results/tools-cli.result; \
	tail -n 1 $(BUILD)/results/tools-cli.result; \
	tail -n 1 $(BUILD)/results/tools-cli.result | grep -q ' 0 failed$$' && \
	[ $$rc -eq 0 ]
