"""master and the postfix command: start, status, stop, reload with a client
connected, crash restart, start-up throttling, configuration errors, and
Debian's stock master.cf."""
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Instance, LineClient, free_port, process_exists,  # noqa: E402
                     processes_in_group, wait_until)


def echo_master_cf(port, extra_args=""):
    return (f"127.0.0.1:{port} inet n - n - - postern-test-echo {extra_args}\n")


def echo_pid(greeting):
    m = re.match(r"220 echo pid=(\d+) ", greeting)
    if not m:
        raise AssertionError(f"unexpected greeting: {greeting!r}")
    return int(m.group(1))


class MasterTest(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        self.inst = Instance(master_cf=echo_master_cf(self.port))

    def tearDown(self):
        if not getattr(getattr(self, "_outcome", None), "success", True):
            print(self.inst.log())  # the mail log explains most failures
        self.inst.cleanup()

    def connect(self):
        client = LineClient(self.port)
        greeting = client.read_line()
        return client, echo_pid(greeting)

    def test_start_status_stop_leaves_no_process(self):
        result = self.inst.start()
        self.assertIn("postfix/postfix-script: starting the Postfix mail system", result.stderr)
        status = self.inst.postfix("status")
        self.assertEqual(status.returncode, 0)
        self.assertIn(f"the Postfix mail system is running: PID: {self.inst.master_pid}", status.stderr)

        again = self.inst.postfix("start")
        self.assertEqual(again.returncode, 1)
        self.assertIn("fatal: the Postfix mail system is already running", again.stderr)

        client, child = self.connect()
        client.send_line("hello")
        self.assertEqual(client.read_line(), "echo: hello")
        self.assertIn(child, processes_in_group(self.inst.master_pid))

        stop = self.inst.stop()
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertIn("stopping the Postfix mail system", stop.stderr)
        self.assertFalse(process_exists(self.inst.master_pid))
        self.assertTrue(wait_until(lambda: not processes_in_group(self.inst.master_pid), 5),
                        "processes left behind after stop")
        client.close()
        status = self.inst.postfix("status")
        self.assertEqual(status.returncode, 1)
        self.assertIn("the Postfix mail system is not running", status.stderr)
        self.inst.wait_for_log(r"postfix/master\[\d+\]: terminating on signal 15")

    def test_reload_keeps_connected_client(self):
        self.inst.start()
        client, old_child = self.connect()
        client.send_line("before")
        self.assertEqual(client.read_line(), "echo: before")

        reload = self.inst.postfix("reload")
        self.assertEqual(reload.returncode, 0, reload.stderr)
        self.assertIn("refreshing the Postfix mail system", reload.stderr)
        self.inst.wait_for_log(r"postfix/master\[\d+\]: reload -- version")

        # The old process still serves its client...
        client.send_line("after")
        self.assertEqual(client.read_line(), "echo: after")
        # ...but new clients go to a process of the new generation.
        def new_child():
            c, pid = self.connect()
            c.close()
            return pid if pid != old_child else None
        self.assertTrue(wait_until(new_child, 10), "no new process after reload")
        client.send_line("QUIT")
        self.assertEqual(client.read_line(), "221 bye")
        client.close()
        self.assertTrue(wait_until(lambda: not process_exists(old_child), 10),
                        "the old process did not exit after its client left")

    def test_killed_child_is_restarted_and_logged(self):
        self.inst.start()
        client, child = self.connect()
        os.kill(child, signal.SIGKILL)
        self.inst.wait_for_log(
            rf"postfix/master\[\d+\]: warning: process \S+/postern-test-echo pid {child} killed by signal 9")
        client.close()
        client2, child2 = self.connect()
        self.assertNotEqual(child, child2)
        client2.send_line("still here")
        self.assertEqual(client2.read_line(), "echo: still here")
        client2.close()
        self.assertNotIn("throttling", self.inst.log())

    def test_bad_startup_is_throttled(self):
        # A service whose processes die before they are ready is throttled.
        self.inst.write_master_cf(echo_master_cf(self.port, "-o max_use=not-a-number"))
        self.inst.start()
        try:
            client = LineClient(self.port, timeout=3)
            client.read_line()
            client.close()
        except OSError:
            pass
        self.inst.wait_for_log(r"warning: \S+/postern-test-echo: bad command startup -- throttling")

    def test_reload_with_broken_config_is_refused(self):
        self.inst.start()
        with open(os.path.join(self.inst.conf, "main.cf"), "a") as f:
            f.write("this line has no equals sign\n")
        reload = self.inst.postfix("reload")
        self.assertNotEqual(reload.returncode, 0)
        self.assertRegex(reload.stderr, r"main\.cf, line \d+")
        # master never saw the broken file and still runs; once the file is
        # mended, service goes on without a restart.
        self.assertTrue(process_exists(self.inst.master_pid))
        self.assertNotIn("reload -- version", self.inst.log())
        self.inst.write_main_cf("")
        client, _ = self.connect()
        client.send_line("ok")
        self.assertEqual(client.read_line(), "echo: ok")
        client.close()


class ConfigErrorTest(unittest.TestCase):
    def setUp(self):
        self.inst = Instance(master_cf=echo_master_cf(free_port()))

    def tearDown(self):
        self.inst.cleanup()

    def test_main_cf_syntax_error_names_file_and_line(self):
        self.inst.write_main_cf("myorigin = $mydomain\nbroken line here\n")
        lines = self.inst.base_main_cf().count("\n") + 2
        for command in ("start", "check"):
            result = self.inst.postfix(command)
            self.assertNotEqual(result.returncode, 0, command)
            self.assertIn(f"main.cf, line {lines}", result.stderr, command)
        self.assertNotEqual(self.inst.postfix("status").returncode, 0)

    def test_master_cf_syntax_error_names_file_and_line(self):
        self.inst.write_master_cf("# comment\nsmtp inet n - n\n")
        for command in ("start", "check"):
            result = self.inst.postfix(command)
            self.assertNotEqual(result.returncode, 0, command)
            self.assertIn("master.cf, line 2", result.stderr, command)


STOCK_MASTER_CF = "/usr/share/postfix/master.cf.dist"


class StockMasterCfTest(unittest.TestCase):
    """Debian 12's stock master.cf works unchanged: what Postern runs, runs;
    the rest is logged once and never fatal."""

    def setUp(self):
        if not os.path.exists(STOCK_MASTER_CF):
            self.fail(f"{STOCK_MASTER_CF} is missing: scripts/setup.sh installs Debian's postfix")
        self.port = free_port()
        with open(STOCK_MASTER_CF) as f:
            stock = f.read()
        # Only the listening address of the smtp service changes: tests never bind port 25.
        smtp_port = free_port()
        stock = re.sub(r"^smtp(\s+inet)", rf"127.0.0.1:{smtp_port}\1", stock, count=1, flags=re.M)
        self.inst = Instance(master_cf=stock + echo_master_cf(self.port))

    def tearDown(self):
        self.inst.cleanup()

    def test_stock_master_cf_starts(self):
        self.inst.start()
        client = LineClient(self.port)
        self.assertTrue(client.read_line().startswith("220 echo"))
        client.close()
        log = self.inst.log()
        self.assertRegex(log, r"service cleanup \(cleanup\): not started")
        self.assertRegex(log, r"service tlsmgr \(tlsmgr\): not started")
        self.assertRegex(log, r'service maildrop: command "pipe" is not available')
        self.assertNotIn("fatal", log)
        self.assertEqual(self.inst.stop().returncode, 0)


if __name__ == "__main__":
    unittest.main()
