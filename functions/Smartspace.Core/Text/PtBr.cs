namespace Smartspace.Core.Text;

/// <summary>
/// Every user-facing pt-BR string of the product, in one place (STYLE §11).
/// The first block is verbatim from SPEC.md / the seed article and is checked against SPEC.md by
/// <c>PtBrMatchesSpecTests</c>. The second block is ours: texts the product needs that the seed does
/// not state word for word, written in the seed's voice. Error codes stay English elsewhere.
/// </summary>
public static class PtBr
{
    // ---- Verbatim from SPEC.md (R3, R12, R13, R18) — do not edit without editing SPEC.md. ----

    /// <summary>R3: shown under the "Para" field for a malformed number.</summary>
    public const string InvalidNumber = "Número inválido, corrija e tente novamente";

    /// <summary>R12/R13: title of the refusal alert box in the Atendimento screen.</summary>
    public const string AttentionTitle = "Atenção!";

    /// <summary>R12: code <c>agent_at_capacity</c>.</summary>
    public const string AgentAtCapacity =
        "Não foi possível iniciar a conversa. O número máximo de atendimentos simultâneos foi atingido.";

    /// <summary>R13: code <c>customer_in_service</c>.</summary>
    public const string CustomerInService =
        "Não foi possível iniciar a conversa. O cliente está sendo atendido por outro agente.";

    /// <summary>R18: badge in the chat input of every chat card while offline.</summary>
    public const string ConnectionLostBadge = "Perda de Conexão";

    /// <summary>R18: alert in the Atendimento screen while offline.</summary>
    public const string ConnectionLostAlert =
        "Perda de conexão. Você está offline. Aguarde um instante para realizar o envio de mensagens";

    // ---- Ours (not verbatim in SPEC.md), consistent with the seed's wording. ----

    /// <summary>R7/P4: free text refused outside the 24-hour window (based on the seed's alert).</summary>
    public const string WindowClosed =
        "Passaram mais de 24 horas desde a comunicação anterior com o cliente. Selecione um Modelo de mensagem para iniciar a conversa.";

    /// <summary>R8/R9: text input disabled until the customer replies to the template.</summary>
    public const string AwaitingCustomerReply =
        "Aguardando a resposta do cliente ao Modelo de mensagem. O campo de texto será habilitado quando o cliente responder.";

    /// <summary>R7: the window is closed and no template was chosen.</summary>
    public const string TemplateRequired = "Selecione um Modelo de mensagem para continuar.";

    /// <summary>R7/P5: the chosen template is not (or no longer) approved by Meta.</summary>
    public const string TemplateNotApproved =
        "O Modelo de mensagem selecionado não está aprovado pela Meta. Selecione outro modelo.";

    /// <summary>R7: some template parameters (e.g. the customer's name) are still empty.</summary>
    public const string TemplateParametersMissing =
        "Preencha todos os campos do Texto do Modelo antes de enviar.";

    /// <summary>R16: the chosen contact reason does not exist for the contact center.</summary>
    public const string QualificationUnknown = "Motivo de contato inválido. Selecione outro motivo.";

    /// <summary>R16: notification after "Finalizar Atendimento".</summary>
    public const string ConversationFinished = "Qualificação e descrição salvas com sucesso.";

    /// <summary>The conversation does not exist (or is not visible to this agent).</summary>
    public const string ConversationNotFound = "Conversa não encontrada.";

    /// <summary>R1: the chosen "Número de Origem" does not exist for the contact center.</summary>
    public const string ChannelNotFound = "Número de Origem não encontrado.";

    /// <summary>The agent may not act on this resource.</summary>
    public const string Forbidden = "Você não tem permissão para realizar esta ação.";

    // ---- Ours: LGPD requests of a customer (export, erasure), seen by supervisors. ----

    /// <summary>LGPD: no data of that customer in the contact center.</summary>
    public const string CustomerNotFound = "Nenhum dado deste cliente foi encontrado neste contact center.";

    /// <summary>LGPD: erasure refused while the customer has a conversation in progress.</summary>
    public const string ErasureWhileInService =
        "Não é possível excluir os dados do cliente durante um atendimento em andamento. Finalize o atendimento e tente novamente.";

    /// <summary>LGPD: the name shown on a conversation whose customer's data were erased.</summary>
    public const string ErasedCustomerName = "Cliente anonimizado (LGPD)";

    // ---- Ours: Meta send/delivery errors explained to the agent (reference §7). ----

    /// <summary>Meta 131047: re-engagement — more than 24 h since the customer's last message.</summary>
    public const string MetaReengagement131047 =
        "Mensagem não entregue: passaram mais de 24 horas desde a última mensagem do cliente. Envie um Modelo de mensagem.";

    /// <summary>Meta 131026: not a WhatsApp number, terms not accepted or outdated app.</summary>
    public const string MetaUndeliverable131026 =
        "Mensagem não entregue: o número pode não ter WhatsApp ou o aplicativo do cliente está desatualizado.";

    /// <summary>Meta 132000: parameter count does not match the template.</summary>
    public const string MetaTemplateParams132000 =
        "Mensagem não enviada: a quantidade de campos preenchidos não corresponde ao Modelo de mensagem.";

    /// <summary>Meta 132012: parameter format mismatch (e.g. the header expects an image).</summary>
    public const string MetaTemplateFormat132012 =
        "Mensagem não enviada: os campos do Modelo de mensagem estão em formato incorreto.";

    /// <summary>Meta 131049: held back by Meta to keep a healthy ecosystem (marketing limit).</summary>
    public const string MetaEcosystem131049 =
        "Mensagem não entregue pela Meta para preservar a qualidade do ecossistema. Tente novamente após 24 horas.";

    /// <summary>Meta 130429: the channel's throughput was reached; shown while the product retries by itself.</summary>
    public const string MetaRateLimited130429 =
        "Limite de envio do Número de Origem atingido. A mensagem será reenviada automaticamente em instantes.";

    /// <summary>Meta 131056: too many messages to the same customer in a short time.</summary>
    public const string MetaPairRateLimited131056 =
        "Muitas mensagens enviadas para este cliente em pouco tempo. Aguarde um instante e tente novamente.";

    /// <summary>Any other Meta error.</summary>
    public const string MetaUnknownError = "Não foi possível enviar a mensagem. Tente novamente.";

    // ---- Ours: outbound states while Meta misbehaves (issue 18). Each says what happens next. ----

    /// <summary>Retrying after 131056 (pair rate limit): the product sends it again by itself.</summary>
    public const string RetryingPairRate131056 =
        "Muitas mensagens enviadas para este cliente em pouco tempo. A mensagem será reenviada automaticamente em instantes.";

    /// <summary>Retrying after a 5xx, 131000 or a connection that failed before sending (ours or Meta's: the text blames neither).</summary>
    public const string RetryingMetaUnavailable =
        "Falha temporária na comunicação com a Meta. A mensagem será reenviada automaticamente em instantes.";

    /// <summary>Retryable refusals until the automatic attempts ran out: nothing was sent.</summary>
    public const string GaveUpAfterRetries =
        "A mensagem não foi enviada depois de várias tentativas automáticas. Tente novamente em alguns minutos.";

    /// <summary>Timeout or dropped connection with no status from Meta: it may have been delivered.</summary>
    public const string SendUnconfirmed =
        "A Meta não confirmou o envio, mas a mensagem pode ter chegado ao cliente. Confira a conversa antes de enviar de novo.";

    /// <summary>Accepted but held by Meta for the template's quality assessment (template pacing).</summary>
    public const string HeldForQualityAssessment =
        "Mensagem retida pela Meta para avaliação de qualidade do Modelo de mensagem. Ela será entregue automaticamente se for liberada.";

    /// <summary>Meta 0/190/10/200 or HTTP 401/403: the access token expired or is invalid.</summary>
    public const string MetaAccessInvalid =
        "Mensagem não enviada: o acesso à Meta expirou ou é inválido. Avise o administrador; tentar novamente não resolve.";

    /// <summary>Meta 100: Meta refused a value of the message as invalid.</summary>
    public const string MetaInvalidParameter100 =
        "Mensagem não enviada: a Meta recusou um dado da mensagem como inválido. Enviar a mesma mensagem de novo não resolve.";

    /// <summary>Meta 131048: sending restricted for the number's quality (blocks, reports).</summary>
    public const string MetaSpamRestricted131048 =
        "Mensagem não enviada: a Meta restringiu os envios deste Número de Origem por baixa qualidade (bloqueios ou denúncias).";

    /// <summary>Meta 131050: the customer stopped marketing messages from this business.</summary>
    public const string MetaMarketingOptOut131050 =
        "Mensagem não entregue: o cliente optou por não receber mensagens de marketing desta empresa.";

    // ---- Ours: how inbound WhatsApp messages are shown to the agent (P7). ----

    /// <summary>P7: image message (a caption follows after <see cref="CaptionSeparator"/>).</summary>
    public const string InboundImage = "📷 Imagem";

    /// <summary>P7: audio or voice message.</summary>
    public const string InboundAudio = "🎤 Áudio";

    /// <summary>P7: video message.</summary>
    public const string InboundVideo = "🎬 Vídeo";

    /// <summary>P7: document without a file name (otherwise "📄 " + file name).</summary>
    public const string InboundDocument = "📄 Documento";

    /// <summary>P7: document with a file name, e.g. "📄 nf.pdf".</summary>
    public static string InboundDocumentNamed(string filename) => "📄 " + filename;

    /// <summary>P7: sticker.</summary>
    public const string InboundSticker = "Figurinha";

    /// <summary>P7: shared location (name, address and coordinates follow).</summary>
    public const string InboundLocation = "📍 Localização";

    /// <summary>P7: one shared contact card (name and phone follow).</summary>
    public const string InboundContact = "👤 Contato";

    /// <summary>P7: several shared contact cards.</summary>
    public const string InboundContacts = "👤 Contatos";

    /// <summary>P7: a reaction was removed.</summary>
    public const string InboundReactionRemoved = "Removeu a reação";

    /// <summary>P7: a type WhatsApp itself could not represent (<c>unsupported</c>).</summary>
    public const string InboundUnsupported = "Mensagem não suportada";

    /// <summary>P7: an interactive reply without a title.</summary>
    public const string InboundInteractive = "Resposta interativa";

    /// <summary>P7: a catalog order.</summary>
    public const string InboundOrder = "🛒 Pedido";

    /// <summary>P7: a system notice (e.g. the customer changed number) without a body.</summary>
    public const string InboundSystem = "Aviso do sistema";

    /// <summary>Separator between a media label and its caption.</summary>
    public const string CaptionSeparator = " — ";

    /// <summary>P7: "Reagiu com 👍".</summary>
    public static string InboundReactedWith(string emoji) => "Reagiu com " + emoji;

    /// <summary>P7: a message type this product does not know, e.g. "Mensagem do tipo edit não suportada".</summary>
    public static string InboundUnknownType(string type) => "Mensagem do tipo " + type + " não suportada";

    /// <summary>P7: "1 item" / "3 itens" in an order.</summary>
    public static string Items(int count) => count == 1 ? "1 item" : count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " itens";

    /// <summary>
    /// The agent-facing text for a Meta error code (reference §7); <see cref="MetaUnknownError"/> for
    /// codes without their own text.
    /// </summary>
    public static string ForMetaError(int code) => code switch
    {
        131047 => MetaReengagement131047,
        131026 => MetaUndeliverable131026,
        132000 => MetaTemplateParams132000,
        132012 => MetaTemplateFormat132012,
        131049 => MetaEcosystem131049,
        131056 => MetaPairRateLimited131056,
        _ => MetaUnknownError,
    };

    // ---- Ours: conversation engine (added by the lead). ----

    /// <summary>R16: the conversation was already finished; nothing more can be sent in it.</summary>
    public const string ConversationClosed = "Este atendimento já foi finalizado.";

    /// <summary>The agent does not exist in the contact center.</summary>
    public const string AgentNotFound = "Atendente não encontrado.";

    // ---- Ours: media, replies, reactions (issue 16). ----

    /// <summary>The message named does not exist in the conversation (reply, reaction, media).</summary>
    public const string MessageNotFound = "Mensagem não encontrada nesta conversa.";

    /// <summary>The customer's file is not (or no longer) available: Meta could not deliver it, or it was removed.</summary>
    public const string MediaUnavailable = "Arquivo indisponível: o WhatsApp não entregou este arquivo ou ele foi removido.";

    /// <summary>An attachment of a type WhatsApp does not take.</summary>
    public const string AttachmentUnsupportedType = "Tipo de arquivo não aceito pelo WhatsApp. Envie imagem (JPEG, PNG), vídeo (MP4, 3GP), áudio (AAC, AMR, MP3, M4A, OGG) ou documento (PDF, TXT, DOC, XLS, PPT).";

    /// <summary>An attachment over WhatsApp's size limit for its kind.</summary>
    public const string AttachmentTooLarge = "Arquivo maior que o limite do WhatsApp (imagem 5 MB, vídeo e áudio 16 MB, documento 100 MB).";

    /// <summary>An attachment that cannot be sent as it is (empty, caption where none is allowed).</summary>
    public const string AttachmentInvalid = "Não foi possível enviar este arquivo. Verifique o arquivo e a legenda.";
}
