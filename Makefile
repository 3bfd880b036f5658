# Makefile — the one build for conclab (GNU make, no recursion into folders).
#
#   make            build every program into build/ (dayN/NAME.c -> build/dayN/NAME)
#   make dayN       build one day's programs
#   make tour       build, then run the guided tour (tour/tour.txt)
#   make test       build, then run every cmocka suite (make check: the same)
#   make sanitize   rebuild in build/asan with ASan+UBSan and run the suite there
#   make tsan       rebuild in build/tsan with TSan and run the suite there
#   make bench      run the benchmarks (bench/), results in build/bench/
#   make ex         the exercises: the first one not solved yet (N=NAME: that
#                   one); make hint N=NAME, ex-list, ex-watch N=, ex-reset N=
#   make fuzz       build the libFuzzer targets with clang (fuzz/), if clang is here,
#                   and run each SECS seconds (default 10) on fuzz/corpus/NAME
#   make format     clang-format every source file (.clang-format)
#   make lint       cppcheck, and clang-tidy where installed
#   make compdb     write compile_commands.json for editors
#   make clean      remove build/
#
# Layout rules, so a new lesson needs no edit here:
#   dayN/NAME.c          a one-file program  -> build/dayN/NAME
#   dayN/DIR/*.c         a program folder: each file defining main() at the
#                        start of a line ("int main(") is a program, the
#                        others are modules in build/dayN/DIR/libDIR.a,
#                        linked into the folder's programs and into the tests
#   common/*.c           build/libcommon.a, linked into everything
#   tests/test_*.c       a cmocka suite -> build/tests/test_*, run by make test
#   tests/*.c (others)   the harness and support code linked into every suite
#   tests/helpers/*.c    small programs the suites run (no cmocka)
#   tools/NAME/*.c       a tool: one program -> build/tools/NAME (its objects
#                        in build/tools/.obj/NAME/), linked with libcommon.a

BUILD    ?= build
CC       ?= cc
SAN      ?=
CPPFLAGS ?= -D_POSIX_C_SOURCE=200809L -I.
CFLAGS   ?= -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -g -pthread
LDFLAGS  ?= -pthread
LDLIBS   ?= -lrt
DEPFLAGS := -MMD -MP
COMPILE   = $(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) $(DEPFLAGS)
LINK      = $(CC) $(CFLAGS) $(SAN) $(LDFLAGS)

# Sources ------------------------------------------------------------------
COMMON_SRC := $(wildcard common/*.c)
LESSON_SRC := $(wildcard day*/*.c)
FOLDER_SRC := $(wildcard day*/*/*.c)
FOLDERS    := $(sort $(dir $(FOLDER_SRC)))
open_paren := (
MAIN_SRC   := $(if $(FOLDER_SRC),$(shell grep -l '^int main$(open_paren)' $(FOLDER_SRC)))
MODULE_SRC := $(filter-out $(MAIN_SRC),$(FOLDER_SRC))
TEST_SRC   := $(wildcard tests/test_*.c)
HELPER_SRC := $(wildcard tests/helpers/*.c)
FUZZ_SRC   := $(wildcard fuzz/*.c)
EX_CHECK_SRC := $(wildcard exercises/*/check.c)
DAYS       := $(sort $(foreach f,$(LESSON_SRC) $(FOLDER_SRC),$(firstword $(subst /, ,$f))))

# Outputs ------------------------------------------------------------------
LIBCOMMON  := $(BUILD)/libcommon.a
folder_lib  = $(BUILD)/$(1)lib$(notdir $(patsubst %/,%,$(1))).a
MODULE_FOLDERS := $(sort $(dir $(MODULE_SRC)))
FOLDER_LIBS := $(foreach d,$(MODULE_FOLDERS),$(call folder_lib,$d))
LESSON_BIN := $(LESSON_SRC:%.c=$(BUILD)/%)
FOLDER_BIN := $(MAIN_SRC:%.c=$(BUILD)/%)
PROGRAMS   := $(LESSON_BIN) $(FOLDER_BIN)
TEST_BIN   := $(TEST_SRC:%.c=$(BUILD)/%)
HELPER_BIN := $(HELPER_SRC:%.c=$(BUILD)/%)
# tests/*.c that are not suites (harness.c and any *_support.c) are linked
# into every suite.
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
HARNESS    := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
EX_CHECK_BIN := $(EX_CHECK_SRC:%.c=$(BUILD)/%)
EX_LIB_OBJ := $(BUILD)/exercises/checklib.o
# Benchmarks: bench/lg/*.c (load generator engine, charts) -> liblg.a;
# each bench/*.c is a program -> build/bench/NAME.
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_LIB_SRC := $(wildcard bench/lg/*.c)
BENCH_LIB  := $(BUILD)/bench/lg/liblg.a
BENCH_BIN  := $(BENCH_SRC:%.c=$(BUILD)/%)
ALL_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC) $(LESSON_SRC) $(FOLDER_SRC) \
                $(TEST_SRC) $(HELPER_SRC) $(TEST_SUPPORT) $(EX_CHECK_SRC) \
                $(BENCH_SRC) $(BENCH_LIB_SRC) $(FUZZ_SRC) tests/replay/fuzz_replay.c) $(EX_LIB_OBJ)

.PHONY: all tour test check tests sanitize tsan bench fuzz format lint compdb clean $(DAYS) \
        ex hint ex-list ex-watch ex-reset
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

all: $(PROGRAMS)

# "make day5" builds only day5's programs.
.SECONDEXPANSION:
$(DAYS): $$(filter $(BUILD)/$$@/%,$(PROGRAMS))

# Compiling and linking ------------------------------------------------------
# (A lesson that became a folder leaves its old binary where the folder
# goes, e.g. build/day7/pool: an old build's file is removed first.)
$(BUILD)/%.o: %.c
	@if [ -f $(@D) ]; then rm -f $(@D); fi; mkdir -p $(@D)
	$(COMPILE) -c $< -o $@

# path_find_shipped (common/path.c) also looks in the checkout a program
# was built from, so one built with BUILD=/elsewhere finds the HTTP site
# and the FTP library from any folder: CURDIR as a C string, shell-quoted.
c_string = $(subst ",\",$(subst \,\\,$(1)))
sh_quote = '$(subst ','\'',$(1))'
$(BUILD)/common/path.o: COMPILE += -DCONCLAB_SOURCE_DIR=$(call sh_quote,"$(call c_string,$(CURDIR))")

$(LIBCOMMON): $(COMMON_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

# Each program folder's modules form one static library.
define folder_lib_rule
$(call folder_lib,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(filter $(1)%,$(MODULE_SRC)))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach d,$(MODULE_FOLDERS),$(eval $(call folder_lib_rule,$d)))

# day10/http/http_server.c is a program and, with its main() renamed, a
# module of libhttp.a too: its "class" (http_api.h) serves hello_server.
$(BUILD)/day10/http/http_server_class.o: day10/http/http_server.c
	@mkdir -p $(@D)
	$(COMPILE) -Dmain=http_server_main -c $< -o $@
$(call folder_lib,day10/http/): $(BUILD)/day10/http/http_server_class.o
-include $(BUILD)/day10/http/http_server_class.d

$(LESSON_BIN): $(BUILD)/%: $(BUILD)/%.o $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@

$(FOLDER_BIN): $(BUILD)/%: $(BUILD)/%.o $$(filter $$(call folder_lib,$$(dir $$*)),$(FOLDER_LIBS)) $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@

# Tools: each folder tools/NAME/ is one program, build/tools/NAME.
TOOL_SRC := $(wildcard tools/*/*.c)
TOOL_BIN := $(sort $(patsubst tools/%/,$(BUILD)/tools/%,$(dir $(TOOL_SRC))))
tool_obj  = $(patsubst tools/%.c,$(BUILD)/tools/.obj/%.o,$(1))
all tests: $(TOOL_BIN)
$(BUILD)/tools/.obj/%.o: tools/%.c
	@mkdir -p $(@D)
	$(COMPILE) -c $< -o $@
$(TOOL_BIN): $(BUILD)/tools/%: $$(call tool_obj,$$(wildcard tools/$$*/*.c)) $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@
-include $(patsubst %.o,%.d,$(call tool_obj,$(TOOL_SRC)))

# Tests: cmocka is checked for (and installed where possible) first.
CMOCKA_OK := $(BUILD)/.cmocka-ok
$(CMOCKA_OK):
	@CC="$(CC)" $(SHELL) tools/need-cmocka.sh
	@mkdir -p $(@D) && touch $@

$(TEST_SRC:%.c=$(BUILD)/%.o) $(HARNESS): | $(CMOCKA_OK)

$(TEST_BIN): $(BUILD)/%: $(BUILD)/%.o $(HARNESS) $(FOLDER_LIBS) $(LIBCOMMON)
	$(LINK) $^ -lcmocka $(LDLIBS) -o $@

$(HELPER_BIN): $(BUILD)/%: $(BUILD)/%.o $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@

# Each fuzz target's corpus is replayed by make test: fuzz/NAME.c linked
# with a cmocka main (tests/replay/) into $(BUILD)/tests/fuzz_NAME.
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/tests/fuzz_%)
$(BUILD)/tests/replay/fuzz_replay.o: | $(CMOCKA_OK)
$(REPLAY_BIN): $(BUILD)/tests/fuzz_%: $(BUILD)/fuzz/%.o $(BUILD)/tests/replay/fuzz_replay.o \
               $(FOLDER_LIBS) $(LIBCOMMON)
	$(LINK) $^ -lcmocka $(LDLIBS) -o $@

tests: $(PROGRAMS) $(TEST_BIN) $(HELPER_BIN) $(EX_CHECK_BIN) $(BENCH_BIN) $(REPLAY_BIN)

test check: tests
	@SANITIZER="$(SANITIZER)" EX_SAN="$(SAN)" $(SHELL) tools/run-tests.sh $(BUILD) $(TEST_BIN) $(REPLAY_BIN)

# Sanitizer builds: the same tree, rebuilt in a folder of its own.
sanitize:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan SANITIZER=address \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' test

tsan:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/tsan SANITIZER=thread \
	  SAN='-fsanitize=thread' test

# Exercises: exercises/NAME/check.c checks the student's exercises/NAME.c.
$(EX_CHECK_BIN): $(BUILD)/%: $(BUILD)/%.o $(EX_LIB_OBJ) $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@

EX_RUN = @CC="$(CC)" $(SHELL) exercises/ex.sh $(BUILD)
ex: all $(EX_CHECK_BIN)
	$(EX_RUN) $(if $(N),check $(N),next)
hint:
	$(EX_RUN) hint $(N)
ex-list:
	$(EX_RUN) list
ex-watch: all $(EX_CHECK_BIN)
	$(EX_RUN) watch $(N)
ex-reset:
	$(EX_RUN) reset $(N)

# The tour and the benchmarks ---------------------------------------------
tour: all
	@$(SHELL) tour/run.sh $(BUILD)

$(BENCH_LIB): $(BENCH_LIB_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(BENCH_BIN): $(BUILD)/%: $(BUILD)/%.o $(BENCH_LIB) $(LIBCOMMON)
	$(LINK) $^ $(LDLIBS) -o $@
$(BUILD)/tests/test_bench: $(BENCH_LIB)
$(BENCH_BIN) $(BUILD)/tests/test_bench: LDLIBS += -lm

bench: all $(BENCH_BIN)
	@if [ -f bench/run.sh ]; then $(SHELL) bench/run.sh $(BUILD); \
	 else echo "make bench: no benchmarks yet (bench/run.sh)"; fi

# Fuzzing: everything rebuilt with clang's coverage in build/fuzz, then
# each target run SECS seconds on its corpus (fuzz/run.sh).
SECS     ?= 10
FUZZ_BIN := $(FUZZ_SRC:%.c=$(BUILD)/%)
fuzz:
	@if ! command -v clang >/dev/null 2>&1; then echo "make fuzz: skipped, clang is not installed"; \
	 elif [ -z "$(FUZZ_SRC)" ]; then echo "make fuzz: no fuzz targets yet (fuzz/*.c)"; \
	 else $(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=clang \
	   SAN='-fsanitize=fuzzer-no-link,address,undefined' fuzz-targets && \
	   $(SHELL) fuzz/run.sh $(BUILD)/fuzz $(SECS) $(FUZZ_SRC:fuzz/%.c=%); fi

fuzz-targets: $(FUZZ_BIN)
$(FUZZ_BIN): $(BUILD)/%: %.c $(FOLDER_LIBS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined $^ $(LDLIBS) -o $@

# Tools for the people working on the code ----------------------------------
SOURCES := $(COMMON_SRC) $(LESSON_SRC) $(FOLDER_SRC) $(TEST_SRC) $(HELPER_SRC) \
           $(FUZZ_SRC) $(TEST_SUPPORT) $(TOOL_SRC)
HEADERS := $(wildcard common/*.h day*/*/*.h tests/*.h tools/*/*.h)

format:
	@if command -v clang-format >/dev/null 2>&1; then clang-format -i $(SOURCES) $(HEADERS); \
	 else echo "make format: skipped, clang-format is not installed"; fi

lint: compdb
	@if command -v cppcheck >/dev/null 2>&1; then \
	   cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	     --inline-suppr --suppress=missingIncludeSystem -D_POSIX_C_SOURCE=200809L -I. \
	     $(COMMON_SRC) $(LESSON_SRC) $(FOLDER_SRC) && echo "cppcheck: clean"; \
	 else echo "make lint: cppcheck skipped, not installed"; fi
	@if command -v clang-tidy >/dev/null 2>&1; then \
	   clang-tidy --quiet -p . $(COMMON_SRC) $(LESSON_SRC) $(FOLDER_SRC) 2>/dev/null \
	     && echo "clang-tidy: clean"; \
	 else echo "make lint: clang-tidy skipped, not installed"; fi

# compile_commands.json, written by make itself (no bear needed).
compdb:
	$(file >compile_commands.json,[$(foreach s,$(SOURCES),$(if $(filter-out $(firstword $(SOURCES)),$s),$(comma)){"directory": "$(CURDIR)"$(comma) "file": "$s"$(comma) "command": "$(CC) $(CPPFLAGS) $(CFLAGS) -c $s"})])
	@echo "wrote compile_commands.json ($(words $(SOURCES)) files)"
comma := ,

clean:
	rm -rf $(BUILD) compile_commands.json

-include $(ALL_OBJ:.o=.d)
