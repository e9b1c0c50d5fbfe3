// The request-server main shared by the smtp and lmtp programs.
#pragma once

namespace postern::smtp {
int agent_main(int argc, char** argv, bool lmtp);
}
