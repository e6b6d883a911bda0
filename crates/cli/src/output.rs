//! Standard output that a closed pipe does not stop. `cleanclaim scrub ... | head` closes the
//! pipe early; that is a normal way to stop reading, not an error. Writes after the pipe
//! closes are dropped, so the command still finishes its work (a posting in `remit --post`
//! is never cut short by a reader that went away) and exits with the code its work earned.

use std::io::{self, BufWriter, StdoutLock, Write};

/// Buffered standard output that drops what it cannot write once the reader has gone.
pub fn stdout() -> BufWriter<Quiet<StdoutLock<'static>>> {
    BufWriter::with_capacity(
        1 << 16,
        Quiet {
            inner: io::stdout().lock(),
            closed: false,
        },
    )
}

/// A writer that treats a broken pipe as the end of its reader's interest.
#[derive(Debug)]
pub struct Quiet<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for Quiet<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct ClosedAfter(usize);

    impl Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.0 -= 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_after_the_pipe_closes_are_dropped_not_errors() {
        let mut out = Quiet {
            inner: ClosedAfter(1),
            closed: false,
        };
        assert!(out.write_all(b"first\n").is_ok());
        assert!(out.write_all(b"second\n").is_ok());
        assert!(out.closed);
        assert!(out.flush().is_ok());
    }
}
