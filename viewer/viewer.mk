# viewer/viewer.mk: the syswalk program. Every viewer/*.c except main.c goes into a
# static library that the program, the unit tests and the fuzz harnesses all link.

VIEWER_PKGS   := ncursesw capstone libelf libdw libcmark jansson libcrypto
VIEWER_CFLAGS := $(CFLAGS_COMMON) -O2 -g $(shell pkg-config --cflags $(VIEWER_PKGS)) \
                 -DSYSWALK_DATADIR='"$(PREFIX)/share/syswalk"' -DSYSWALK_SRCDIR='"$(CURDIR)"'
VIEWER_LIBS   := $(shell pkg-config --libs $(VIEWER_PKGS)) -lm

VIEWER_SRCS   := $(filter-out viewer/main.c,$(wildcard viewer/*.c))
VIEWER_OBJS   := $(VIEWER_SRCS:%.c=$(BUILD)/%.o)
VIEWER_LIB    := $(BUILD)/viewer/libsyswalk.a
SYSWALK       := $(BUILD)/syswalk

.PHONY: viewer
viewer: $(SYSWALK)

$(BUILD)/viewer/%.o: viewer/%.c
	@mkdir -p $(@D)
	$(CC) $(VIEWER_CFLAGS) -c $< -o $@

$(VIEWER_LIB): $(VIEWER_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SYSWALK): $(BUILD)/viewer/main.o $(VIEWER_LIB)
	$(CC) -o $@ $^ $(VIEWER_LIBS)

# A library pkg-config cannot find would otherwise show up later as a wall of
# undefined references: say which one, and how to get it.
ifneq ($(filter-out deps clean,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell pkg-config --exists $(VIEWER_PKGS) && echo ok),ok)
$(error pkg-config cannot find some of: $(VIEWER_PKGS); run scripts/install-deps.sh)
endif
endif
