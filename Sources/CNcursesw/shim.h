#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// SwiftPM drops pkg-config's -D flags (-D_XOPEN_SOURCE=600), so enable the wide-character
// API here, before curses.h: cchar_t, setcchar, wadd_wch and wget_wch need it.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <stdio.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

// True when terminfo knows `term`. newterm on an unknown type may print and exit, so probe
// first; the probe's terminal is freed and the previous one restored.
static inline int cnc_terminal_known(const char *term, int fd) {
  int err = 0;
  TERMINAL *saved = cur_term;
  if (setupterm(term, fd, &err) != OK) return 0;
  TERMINAL *probe = cur_term;
  set_curterm(saved);
  del_curterm(probe);
  return 1;
}

// stdin and stdout are global variables too (see below).
static inline FILE *cnc_stdout(void) { return stdout; }
static inline FILE *cnc_stdin(void) { return stdin; }

// stdscr, LINES, COLS, COLORS and COLOR_PAIRS are global variables, which Swift 6's strict
// concurrency refuses to read directly; these accessors are called from the one UI thread.
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }

// A_* attributes and COLOR_PAIR are built from the NCURSES_BITS macro, which Swift cannot
// import.
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_italic(void) { return A_ITALIC; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }

// Mouse masks are macros built from other macros.
static inline mmask_t cnc_mouse_mask(void) {
  return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int cnc_is_click(mmask_t m) { return (m & (BUTTON1_CLICKED | BUTTON1_PRESSED)) != 0; }
static inline int cnc_is_wheel_up(mmask_t m) { return (m & BUTTON4_PRESSED) != 0; }
static inline int cnc_is_wheel_down(mmask_t m) { return (m & BUTTON5_PRESSED) != 0; }

// wcwidth is not visible through Swift's Glibc module.
static inline int cnc_wcwidth(wchar_t c) { return wcwidth(c); }

// The locale's character set ("UTF-8" in a UTF-8 locale).
static inline const char *cnc_codeset(void) { return nl_langinfo(CODESET); }

// Reads back what is on the screen (for headless conformance tests).
static inline int cnc_read_line(WINDOW *w, int y, wchar_t *buf, int n) { return mvwinnwstr(w, y, 0, buf, n); }

// getmaxyx is a macro.
static inline int cnc_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int cnc_getmaxx(WINDOW *w) { return getmaxx(w); }

#endif
