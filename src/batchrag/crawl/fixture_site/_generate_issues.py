"""The invented issues, letters and Data Points briefs that _generate.py renders into the fixture site."""

from __future__ import annotations

# (title, image file or None, alt, paragraphs)
ISSUES = [
    dict(n=1, date="2019-06-12T08:00:00.000-07:00", level="h2", era="2019", stories=[
        ("Robots Learn to Fold Laundry", "2019/06/laundry-robot.png",
         "A two-armed robot folding a blue towel on a white table",
         ["<strong>What’s new:</strong> Engineers at an invented lab called Foldwise trained a two-armed robot to fold "
          "towels and T-shirts by imitating 400 human demonstrations recorded with motion gloves.",
          "<strong>How it works:</strong> A convolutional network maps camera images to grasp points; a second network "
          "plans the sequence of folds. The robot folds a towel in 90 seconds, roughly ten times slower than a person.",
          "<strong>Why it matters:</strong> Deformable objects like cloth have long frustrated robot manipulation. "
          "Learning from demonstrations sidesteps hand-written rules for every fabric."]),
        ("Chipmaker Unveils Inference Accelerator", "2019/06/inference-chip.jpg",
         "Close-up photo of a square green circuit board with a silver inference chip in the middle",
         ["<strong>What’s new:</strong> A startup named Siliconia announced an accelerator that runs neural network "
          "inference at 40 trillion operations per second while drawing 15 watts.",
          "<strong>Behind the news:</strong> Data centers spend more on serving trained models than on training them, "
          "so specialised inference hardware is drawing investment.",
          "<strong>We’re thinking:</strong> Benchmarks published by a vendor deserve independent confirmation."]),
        ("City Bans Face Recognition in Public Agencies", "2019/06/city-hall.png",
         "Illustration of a city hall with a crossed-out camera icon above its entrance",
         ["<strong>What’s new:</strong> The council of the fictional city of Port Alder voted 7 to 2 to bar police and "
          "other agencies from using face recognition.",
          "<strong>Why it matters:</strong> Local rules are arriving faster than national regulation, and vendors "
          "must now track a patchwork of requirements."]),
        ("Language Model Writes Fake Reviews", "2019/06/fake-reviews.gif",
         "Animation of generated product reviews appearing one by one on a phone screen",
         ["<strong>What’s new:</strong> Researchers showed that a text generator fine-tuned on restaurant reviews "
          "writes fake reviews that human readers rate as more helpful than real ones.",
          "<strong>Results:</strong> A classifier trained to spot generated text caught 91 percent of the fakes, "
          "people caught only 52 percent.",
          "<strong>We’re thinking:</strong> Review platforms will need automated detectors as well as human moderators."]),
    ]),
    dict(n=2, date="2020-09-16T09:30:00.000-07:00", level="h3", era="2020", stories=[
        ("Drones Map Wildfire Fronts", "2020/09/wildfire-drone.png",
         "A quadcopter drone flying over a forest with an orange fire line drawn on a map overlay",
         ["<strong>What’s new:</strong> Firefighters in an invented county tested drones that segment infrared "
          "video to map the edge of a wildfire every five minutes.",
          "<strong>How it works:</strong> A U-Net trained on 12,000 labelled thermal frames outlines burning areas; "
          "the outlines are stitched into a map that crews receive on tablets.",
          "<strong>Why it matters:</strong> Fresh maps help commanders move crews before the wind shifts."]),
        ("Transformer Predicts Protein Shapes", "2020/09/protein-fold.jpg",
         "Ribbon diagram of a folded protein in rainbow colours",
         ["<strong>What’s new:</strong> A team at the fictional Helix Institute built a transformer that predicts "
          "the 3D structure of small proteins from their amino-acid sequence.",
          "<strong>Results:</strong> On a benchmark of 300 proteins, its predictions landed within two angstroms of "
          "laboratory measurements for 70 percent of them.",
          "<strong>We’re thinking:</strong> Faster structure prediction could shorten the search for new drugs."]),
        ("Europe Drafts Rules for High-Risk AI", "2020/09/eu-rules.png",
         "Stack of documents stamped with a blue flag and the words high risk",
         ["<strong>What’s new:</strong> European officials circulated a draft that would require audits, logging "
          "and human oversight for AI used in hiring, credit scoring and policing.",
          "<strong>Behind the news:</strong> The draft follows a public consultation that drew more than 1,200 "
          "responses from companies, academics and civil-society groups.",
          "<strong>Why it matters:</strong> Rules written in Brussels tend to become global defaults."]),
        ("Warehouse Robots Go Shift-Free", None, "",
         ["<strong>What’s new:</strong> A logistics company said its fleet of mobile picking robots now runs around "
          "the clock, with people supervising from a control room.",
          "<strong>How it works:</strong> Each robot plans its own path with reinforcement learning and asks a "
          "remote operator for help when a package is torn or mislabeled.",
          "<strong>We’re thinking:</strong> Remote assistance is an underrated ingredient of practical robotics."]),
    ]),
    dict(n=3, date="2023-05-10T07:45:00.000-07:00", level="h1", era="2023", stories=[
        ("Open-Weight Model Rivals Closed Giants", "2023/05/open-weights.png",
         "Bar chart comparing benchmark scores of an open-weight model and two closed models",
         ["<strong>What’s new:</strong> A nonprofit lab released the weights of Meadow-34B, a language model that "
          "matches much larger proprietary models on reading-comprehension and coding benchmarks.",
          "<strong>How it works:</strong> The team trained on 2 trillion tokens of filtered web text and code, then "
          "fine-tuned on 80,000 instructions written by volunteers.",
          "<strong>Why it matters:</strong> Open weights let developers run models on their own hardware and audit "
          "their behaviour."]),
        ("Agents Book Travel, Mostly Correctly", "2023/05/travel-agent.jpg",
         "Screenshot of a chatbot filling in a flight booking form",
         ["<strong>What’s new:</strong> Researchers tested language-model agents that use a web browser to book "
          "flights and hotels for simulated customers.",
          "<strong>Results:</strong> The best agent completed 64 percent of bookings without error; the most common "
          "failure was choosing the wrong date from a calendar widget.",
          "<strong>We’re thinking:</strong> Agents need better ways to check their own work before they press pay."]),
        ("Vision Models Shrink Without Losing Sight", "2023/05/tiny-vision.png",
         "Diagram of a large neural network being distilled into a much smaller one",
         ["<strong>What’s new:</strong> Zoë Ørsted, Amélie Royer and Łukasz Wróbel of the (invented) Institut "
          "Émeraude in Montréal distilled an image classifier to one-twentieth of its size.",
          "<strong>How it works:</strong> A student network learns from the teacher’s predictions on 50 million "
          "unlabelled photos, then is pruned and quantised to 4 bits.",
          "<strong>Results:</strong> The small model runs on a €40 microcontroller and loses 1.8 points of accuracy."]),
        ("GPU Shortage Eases as New Fabs Open", "2023/05/gpu-fab.jpg",
         "Workers in white clean-room suits standing beside wafer processing machines",
         ["<strong>What’s new:</strong> Cloud providers reported shorter waiting lists for AI accelerators as two "
          "new chip fabrication plants began production.",
          "<strong>Behind the news:</strong> Demand for training hardware had outstripped supply for more than a year, "
          "pushing some startups to rent capacity by the hour at high prices.",
          "<strong>Why it matters:</strong> Cheaper compute lowers the barrier for smaller research groups."]),
    ]),
    dict(n=4, date="2024-11-20T08:15:00.000-08:00", level="h1", era="2024", audio=True, promo=True, stories=[
        ("Humanoid Robots Head to Factories", "2024/11/humanoid.png",
         "A humanoid robot carrying a plastic crate along an automotive assembly line",
         ["<strong>What’s new:</strong> Two carmakers began pilots in which humanoid robots move parts between "
          "stations on an assembly line.",
          "<strong>How it works:</strong> A vision-language-action model turns spoken instructions and camera frames "
          "into arm and leg motions; a safety controller stops the robot when a person comes within one metre.",
          "<strong>Why it matters:</strong> Factories are built for human bodies, so humanoid robots can work there "
          "without rebuilding the line."]),
        ("Small Models, Big Context", "2024/11/long-context.png",
         "A small robot reading a tall stack of books",
         ["<strong>What’s new:</strong> An open-weight model with 3 billion parameters reads inputs of one million "
          "tokens, enough for several novels at once.",
          "<strong>How it works:</strong> The model interleaves attention layers with a recurrent state-space layer, "
          "so memory grows slowly with input length.",
          "<strong>Results:</strong> It finds a planted sentence in a million-token haystack 98 percent of the time."]),
        ("Copyright Office Weighs AI Training", "2024/11/copyright.jpg",
         "A judge's gavel resting on a pile of printed books",
         ["<strong>What’s new:</strong> A national copyright office opened a consultation on whether training models "
          "on copyrighted text requires permission from authors.",
          "<strong>Behind the news:</strong> Several lawsuits by novelists and news publishers are pending, and their "
          "outcome may depend on how courts read fair-use rules.",
          "<strong>We’re thinking:</strong> Clear rules would help both creators and developers plan."]),
        ("Coding Agents Fix Real Bugs", "2024/11/coding-agent.png",
         "Terminal window showing an agent editing code and running tests",
         ["<strong>What’s new:</strong> An agent that reads issue reports, edits code and runs tests fixed 41 percent "
          "of real bugs from popular open-source repositories.",
          "<strong>How it works:</strong> The agent alternates between searching the codebase, proposing a patch and "
          "running the project’s test suite until the tests pass.",
          "<strong>Why it matters:</strong> Software maintenance is a large share of engineering work."]),
        ("Chip Export Limits Tighten", "2024/11/export-limits.png",
         "World map with arrows showing shipments of AI chips being blocked at borders",
         ["<strong>What’s new:</strong> New export rules restrict sales of advanced AI accelerators and the "
          "machines used to make them to a longer list of countries.",
          "<strong>Why it matters:</strong> Access to chips shapes which countries can train frontier models."]),
    ]),
    dict(n=5, date="2025-03-05T07:00:00.000-08:00", level="h1", era="2025", audio=True, data_points=True, stories=[
        ("Open Models Learn to Reason", "2025/03/reasoning.png",
         "Flowchart of a model writing a chain of reasoning steps before answering",
         ["<strong>What’s new:</strong> An open-weight model trained with reinforcement learning on math and coding "
          "problems learned to write long chains of reasoning before answering.",
          "<strong>Results:</strong> It solved 71 percent of competition math problems, up from 29 percent before "
          "reinforcement learning.",
          "<strong>Why it matters:</strong> Reasoning skills once limited to closed models are now available to all."]),
        ("Robot Dogs Inspect Power Lines", "2025/03/robot-dog.gif",
         "Animation of a four-legged robot walking beneath high-voltage power lines",
         ["<strong>What’s new:</strong> A utility deployed four-legged robots that walk along transmission corridors "
          "and photograph insulators for cracks.",
          "<strong>How it works:</strong> An object detector flags damaged insulators; a human inspector reviews "
          "each flag before a repair crew is dispatched.",
          "<strong>We’re thinking:</strong> Dull, dangerous inspections are a good first job for legged robots."]),
        ("AI Act Obligations Take Effect", "2025/03/ai-act.png",
         "Calendar page with a date circled next to a scale of justice",
         ["<strong>What’s new:</strong> The first obligations of a sweeping AI law took effect, banning social "
          "scoring and some uses of emotion recognition at work and in schools.",
          "<strong>Behind the news:</strong> Rules for general-purpose models follow in August, with documentation "
          "and copyright duties for model providers."]),
        ("Agents Negotiate with Agents", "2025/03/agents-negotiate.jpg",
         "Two chat windows facing each other with price offers passing between them",
         ["<strong>What’s new:</strong> A marketplace experiment let buyer agents and seller agents haggle over used "
          "bicycles on behalf of their owners.",
          "<strong>Results:</strong> Agents closed 83 percent of deals; sellers whose agents were told to be patient "
          "earned 6 percent more.",
          "<strong>We’re thinking:</strong> As agents transact with each other, guardrails on what they may agree to "
          "become essential."]),
    ]),
]

LETTERS = {
    1: ("Why I am optimistic about small data", [
        "Dear friends,",
        "Many teams believe they need millions of examples before machine learning can help them. In my experience, "
        "a few hundred carefully labelled examples often go a long way, especially when the labels are consistent.",
        "If you are starting a project this week, spend an afternoon writing labelling instructions before you "
        "collect more data. Consistency beats volume.",
        "Keep learning!", "Andrew"]),
    2: ("Learning during uncertain times", [
        "Dear friends,",
        "This year many of us are learning from home. I have been impressed by how many learners formed study groups "
        "online to work through courses together.",
        "If you have a few hours a week, pick one small project and finish it. Finished projects teach more than "
        "unfinished ambitious ones.", "Keep learning!", "Andrew"]),
    3: ("Open source keeps AI competitive", [
        "Dear friends,",
        "Open-weight models let anyone inspect, fine-tune and deploy AI. I believe they are one of the best protections "
        "against a future in which only a few companies control the technology.",
        "Let us support the developers who share their work.", "Keep building!", "Andrew"]),
    4: ("Agents need evaluation, too", [
        "Dear friends,",
        "When teams build agentic workflows, they often skip systematic evaluation. Start with a small set of examples "
        "and measure each step of the workflow, not just the final output.",
        "Keep building!", "Andrew"]),
    5: ("Reasoning models change how we prompt", [
        "Dear friends,",
        "Reasoning models work best when you tell them what you want rather than how to think. Give context and "
        "goals, and let the model plan.", "Keep learning!", "Andrew"]),
}

DATA_POINTS = [
    "A robotics startup raised funds to build dexterous hands for warehouse robots.",
    "A weather agency began issuing forecasts produced partly by a neural network.",
]
