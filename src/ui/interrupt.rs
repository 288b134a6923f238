//! Ctrl-C during an interactive command: the terminal is given back as it was (echo, line
//! mode, a visible cursor), the user is told that nothing was changed, and the process exits
//! with 130. While the command commits its changes, Ctrl-C is held off so a plan is never
//! left half-applied.
//!
//! Prompts in raw mode turn Ctrl-C into a signal (console raises SIGINT), so one handler
//! covers every prompt, the spinners and the network calls in between.

/// Installed for the life of an interactive command; restores the default Ctrl-C behaviour
/// when dropped.
pub struct Guard {
    _private: (),
}

impl Guard {
    /// Save the terminal's state and take over Ctrl-C. `message` is printed on Ctrl-C.
    pub fn install(message: &'static str) -> Guard {
        imp::install(message);
        Guard { _private: () }
    }

    /// From now on Ctrl-C is ignored: the command is applying what the user confirmed.
    pub fn hold(&self) {
        imp::hold();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        imp::uninstall();
    }
}

#[cfg(unix)]
mod imp {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};

    static SAVED: OnceLock<libc::termios> = OnceLock::new();
    static MESSAGE: OnceLock<&'static str> = OnceLock::new();
    static HOLD: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_interrupt(_: libc::c_int) {
        if HOLD.load(Ordering::SeqCst) {
            return;
        }
        // Only async-signal-safe calls from here on: tcsetattr, write, _exit.
        // SAFETY: the termios was saved from fd 0 before the handler was installed, the
        // buffers outlive the calls, and _exit never returns.
        unsafe {
            if let Some(t) = SAVED.get() {
                libc::tcsetattr(0, libc::TCSANOW, t);
            }
            let show_cursor = b"\x1b[?25h\n";
            libc::write(2, show_cursor.as_ptr().cast(), show_cursor.len());
            if let Some(m) = MESSAGE.get() {
                libc::write(2, m.as_ptr().cast(), m.len());
                libc::write(2, b"\n".as_ptr().cast(), 1);
            }
            libc::_exit(130);
        }
    }

    pub fn install(message: &'static str) {
        let _ = MESSAGE.set(message);
        HOLD.store(false, Ordering::SeqCst);
        // SAFETY: plain libc calls on a zeroed, then filled-in termios and sigaction.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) == 0 {
                let _ = SAVED.set(t);
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
    }

    pub fn hold() {
        HOLD.store(true, Ordering::SeqCst);
    }

    pub fn uninstall() {
        // SAFETY: restoring the default disposition of SIGINT.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
        HOLD.store(false, Ordering::SeqCst);
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn install(_: &'static str) {}
    pub fn hold() {}
    pub fn uninstall() {}
}
