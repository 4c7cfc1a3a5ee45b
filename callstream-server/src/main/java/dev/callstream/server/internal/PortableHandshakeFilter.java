package dev.callstream.server.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers WebSocket upgrade requests to the endpoint's path as the standalone server does: 401 when
 * the authenticator refuses, 503 ({@code Retry-After: 1}) when no call slot is free or the endpoint
 * drains, 500 when the check fails; an admitted upgrade is performed here with
 * {@link ServerContainer#upgradeHttpToWebSocket}, its admission carried in the config, so it is
 * decided once. Every other request passes down the chain.
 */
final class PortableHandshakeFilter implements Filter {
  private static final Logger log = LoggerFactory.getLogger(PortableHandshakeFilter.class);

  private final PortableEndpoint owner;

  PortableHandshakeFilter(PortableEndpoint owner) {
    this.owner = owner;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse answer)
        || !isUpgrade(http) || !owner.settings().path().equals(pathOf(http))) {
      chain.doFilter(request, response);
      return;
    }
    Object attribute = http.getServletContext().getAttribute(ServerContainer.class.getName());
    if (!(attribute instanceof ServerContainer container)) {
      log.error("no jakarta.websocket ServerContainer in the servlet context: WebSocket support is not enabled;"
          + " answering 500");
      refuse(answer, 500, null, null);
      return;
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(http.getHeaderNames())) {
      headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(Collections.list(http.getHeaders(name)));
    }
    PortableEndpoint.Decided decided = owner.decide(http.getQueryString(), headers, http.getRemoteAddr());
    switch (decided.status()) {
      case 401 -> refuse(answer, 401, "WWW-Authenticate", "Bearer");
      case 503 -> refuse(answer, 503, "Retry-After", "1");
      case 101 -> upgrade(container, http, answer, decided);
      default -> refuse(answer, 500, null, null);
    }
  }

  private void upgrade(ServerContainer container, HttpServletRequest request, HttpServletResponse response,
      PortableEndpoint.Decided decided) throws IOException {
    try {
      container.upgradeHttpToWebSocket(request, response, owner.admittedConfig(decided.admission()), Map.of());
      // An upgrade the container declined (a malformed request) never opens: the sweep gives its
      // slot back after PortableEndpoint.OPEN_TIMEOUT, as for a peer that leaves mid-handshake.
    } catch (IOException | DeploymentException | RuntimeException e) {
      owner.abandon(decided.admission());
      log.error("call {}: upgrade failed", decided.logId(), e);
      if (!response.isCommitted()) {
        refuse(response, 500, null, null);
      }
    }
  }

  private static boolean isUpgrade(HttpServletRequest request) {
    return "GET".equals(request.getMethod()) && "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  private static String pathOf(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
  }

  private static void refuse(HttpServletResponse response, int status, String header, String value) {
    response.setStatus(status);
    if (header != null) {
      response.setHeader(header, value);
    }
    response.setHeader("Connection", "close");
    response.setContentLength(0);
  }
}
